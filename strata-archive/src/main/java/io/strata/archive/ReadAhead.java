package io.strata.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream on a thread of its own, a few chunks ahead of the consumer. The layer applier
 * uses it so that reading, inflating and hashing (CPU) overlap with creating files (syscalls): on
 * two cores that is most of the difference to {@code tar}, which does both in turn but hashes
 * nothing. The source is read to its end by the reader thread alone; once {@link #read} has
 * returned -1 the source is no longer touched, so the caller may then look at state the source
 * kept (counts, digests).
 */
final class ReadAhead extends InputStream {
    private static final int CHUNK = 1 << 20;
    private static final int DEPTH = 4;

    private record Chunk(byte[] data, int length, IOException error) {
    }

    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(DEPTH + 1);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(DEPTH + 2);
    private final Thread reader;
    private Chunk current;
    private int pos;
    private boolean eof;

    ReadAhead(InputStream source) {
        for (int i = 0; i < DEPTH + 2; i++) {
            free.add(new byte[CHUNK]);
        }
        reader = Thread.ofPlatform().daemon().name("strata-layer-read").start(() -> fill(source));
    }

    private void fill(InputStream source) {
        try {
            while (true) {
                byte[] buf = free.take();
                int n = 0;
                while (n < buf.length) {
                    int r = source.read(buf, n, buf.length - n);
                    if (r < 0) {
                        break;
                    }
                    n += r;
                }
                if (n > 0) {
                    full.put(new Chunk(buf, n, null));
                }
                if (n < buf.length) {
                    full.put(new Chunk(null, -1, null));
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            full.offer(new Chunk(null, -1, e));
        } catch (UncheckedIOException e) {
            full.offer(new Chunk(null, -1, e.getCause()));
        } catch (RuntimeException e) {
            full.offer(new Chunk(null, -1, new IOException("reading the layer failed: " + e, e)));
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!next()) {
            return -1;
        }
        int n = Math.min(len, current.length() - pos);
        System.arraycopy(current.data(), pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long done = 0;
        while (done < n && next()) {
            int k = (int) Math.min(n - done, current.length() - pos);
            pos += k;
            done += k;
        }
        return done;
    }

    /** Makes {@code current} a chunk with bytes left; false at the end of the stream. */
    private boolean next() throws IOException {
        if (eof) {
            return false;
        }
        if (current != null && pos < current.length()) {
            return true;
        }
        if (current != null) {
            free.add(current.data());
            current = null;
        }
        Chunk c;
        try {
            c = full.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the layer");
        }
        if (c.error() != null) {
            eof = true;
            throw c.error();
        }
        if (c.length() < 0) {
            eof = true;
            return false;
        }
        current = c;
        pos = 0;
        return true;
    }

    /** Reads everything left, so that the reader thread has finished with the source. */
    long drain() throws IOException {
        long n = 0;
        while (next()) {
            n += current.length() - pos;
            pos = current.length();
        }
        return n;
    }

    /** Stops the reader thread (the source itself is closed by its owner). */
    @Override
    public void close() {
        if (!eof) {
            reader.interrupt();
            eof = true;
        }
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
