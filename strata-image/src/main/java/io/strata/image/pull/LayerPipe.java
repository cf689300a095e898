package io.strata.image.pull;

import io.strata.content.ContentInfo;
import io.strata.content.registry.BlobSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands a layer's bytes from the thread downloading it to the unpacker applying it, while the
 * content store keeps its own copy. Bounded (the downloader waits when the applier is behind); once
 * {@link #abandon abandoned} (the unpacker skipped the layer, or stopped) writes are dropped, so a
 * download never waits on a reader that will not come.
 */
final class LayerPipe implements BlobSink {
    private static final byte[] END = new byte[0];
    private static final int CHUNKS = 256;

    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(CHUNKS);
    private volatile boolean abandoned;
    private volatile Throwable failure;

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        byte[] copy = Arrays.copyOfRange(b, off, off + len);
        try {
            while (!abandoned && !chunks.offer(copy, 100, TimeUnit.MILLISECONDS)) {
                // the applier is behind: wait for room (or for it to give up)
            }
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
            while (!abandoned && !chunks.offer(marker, 100, TimeUnit.MILLISECONDS)) {
                // wait for room
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Drops what is queued and everything written from now on. */
    void abandon() {
        abandoned = true;
        chunks.clear();
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
                        current = chunks.take();
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
