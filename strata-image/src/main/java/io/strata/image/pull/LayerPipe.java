package io.strata.image.pull;

import io.strata.content.ContentInfo;
import io.strata.content.registry.BlobSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands a layer's bytes from the thread downloading it to the unpacker applying it, while the
 * content store keeps its own copy. Bounded (the downloader waits when the applier is behind); once
 * {@link #abandon abandoned} (the unpacker skipped the layer, or stopped) writes are dropped, so a
 * download never waits on a reader that will not come: abandoning wakes a writer waiting for room.
 */
final class LayerPipe implements BlobSink {
    private static final byte[] END = new byte[0];
    private static final int CHUNKS = 256;

    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>(CHUNKS);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private final Condition bytes = lock.newCondition();
    private boolean abandoned;
    private volatile Throwable failure;

    /** Queues {@code chunk}, waiting for room; dropped once abandoned. */
    private void offer(byte[] chunk) throws InterruptedException {
        lock.lock();
        try {
            while (!abandoned && chunks.size() >= CHUNKS) {
                room.await();
            }
            if (!abandoned) {
                chunks.addLast(chunk);
                bytes.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private byte[] take() throws InterruptedException {
        lock.lock();
        try {
            while (chunks.isEmpty()) {
                bytes.await();
            }
            room.signal();
            return chunks.removeFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        byte[] copy = Arrays.copyOfRange(b, off, off + len);
        try {
            offer(copy); // the applier may be behind: waits for room, or for it to give up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while handing a layer to the unpacker");
        }
    }

    @Override
    public void complete(ContentInfo blob) {
        put(END);
    }

    @Override
    public void failed(Throwable cause) {
        failure = cause;
        put(END);
    }

    private void put(byte[] marker) {
        try {
            offer(marker);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Drops what is queued and everything written from now on. */
    void abandon() {
        lock.lock();
        try {
            abandoned = true;
            chunks.clear();
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The bytes, in order; ends when the blob is verified and committed, fails if the download failed. */
    InputStream input() {
        return new InputStream() {
            private byte[] current = new byte[0];
            private int pos;
            private boolean ended;

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
                while (pos == current.length) {
                    if (ended) {
                        return -1;
                    }
                    try {
                        current = take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for layer bytes");
                    }
                    pos = 0;
                    if (current == END) {
                        ended = true;
                        if (failure != null) {
                            throw new IOException("downloading the layer failed: " + failure.getMessage(), failure);
                        }
                        return -1;
                    }
                }
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }

            @Override
            public void close() {
                if (!ended) {
                    abandon();
                }
            }
        };
    }
}
