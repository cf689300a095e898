package io.strata.codec.compress;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The uncompressed bytes of a layer blob, from {@link Decompression#open}. Knows which format it
 * found. Reads of at least {@value Decompression#BUFFER_SIZE}/4 bytes go straight to the decoder;
 * smaller ones (a tar reader's 512-byte headers) are served from one buffer of
 * {@value Decompression#BUFFER_SIZE} bytes, so that decoding always works on large blocks. Not
 * thread-safe.
 */
public final class DecompressingInputStream extends InputStream {
    private static final int DIRECT = Decompression.BUFFER_SIZE / 4;

    private final Compression compression;
    private final InputStream decoder;
    private byte[] buf;
    private int pos;
    private int limit;
    private boolean closed;

    DecompressingInputStream(Compression compression, InputStream decoder) {
        this.compression = compression;
        this.decoder = decoder;
    }

    /** The format found in (or required of) the raw stream. */
    public Compression compression() {
        return compression;
    }

    @Override
    public int read() throws IOException {
        ensureOpen();
        if (pos == limit && !refill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (len == 0) {
            return 0;
        }
        if (pos < limit) {
            int n = Math.min(len, limit - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }
        if (len >= DIRECT || compression == Compression.NONE) {
            return decoder.read(b, off, len);
        }
        if (!refill()) {
            return -1;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    private boolean refill() throws IOException {
        ensureOpen();
        if (buf == null) {
            buf = new byte[Decompression.BUFFER_SIZE];
        }
        int n = decoder.read(buf, 0, buf.length);
        pos = 0;
        limit = Math.max(n, 0);
        return n > 0;
    }

    @Override
    public int available() {
        return limit - pos;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
    }

    /** Closes the decoder (freeing native memory) and the raw stream. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            decoder.close();
        }
    }
}
