package io.strata.codec.compress;

import java.io.IOException;
import java.io.InputStream;

/**
 * The compressed input: one large buffer over the caller's stream, with the compressed byte offset
 * of every position. Decoders read ahead a buffer at a time and give back what they did not use
 * with {@link #unread}; a refill keeps the last {@link #KEEP} consumed bytes so that giving back
 * that many always works (a deflate decoder may hold up to 8 bytes in its bit buffer when a member
 * ends, some of them read before the last refill).
 */
final class RawSource {
    static final int KEEP = 16;

    private final InputStream in;
    private final byte[] buf;
    private int pos;
    private int limit;
    private long base;
    private boolean eof;

    RawSource(InputStream in, int size) {
        this.in = in;
        this.buf = new byte[size];
    }

    /** Compressed offset of the next unconsumed byte. */
    long offset() {
        return base + pos;
    }

    byte[] buffer() {
        return buf;
    }

    int position() {
        return pos;
    }

    int available() {
        return limit - pos;
    }

    /** Marks {@code n} available bytes consumed. */
    void skip(int n) {
        if (n < 0 || n > limit - pos) {
            throw new IllegalArgumentException("skip " + n + " of " + (limit - pos));
        }
        pos += n;
    }

    /** Gives back the last {@code n} consumed bytes (at most {@link #KEEP} across a refill). */
    void unread(int n) {
        if (n < 0 || n > pos) {
            throw new IllegalStateException("cannot unread " + n + " bytes, only " + pos + " kept");
        }
        pos -= n;
    }

    /**
     * Reads more input after the available bytes, blocking until at least one byte came or the
     * stream ended. Returns false only at the end of the stream.
     */
    boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        int keepFrom = Math.max(0, pos - KEEP);
        if (limit == buf.length && keepFrom > 0) {
            System.arraycopy(buf, keepFrom, buf, 0, limit - keepFrom);
            base += keepFrom;
            pos -= keepFrom;
            limit -= keepFrom;
        } else if (limit == buf.length) {
            throw new IllegalStateException("buffer full of unconsumed input");
        }
        int n;
        do {
            n = in.read(buf, limit, buf.length - limit);
        } while (n == 0); // a broken stream may return 0; InputStream's contract says it blocks
        if (n < 0) {
            eof = true;
            return false;
        }
        limit += n;
        return true;
    }

    /** The next byte, or -1 at the end of the stream. */
    int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    /** Fills until {@code n} bytes are available or the stream ends; returns how many are. */
    int require(int n) throws IOException {
        while (limit - pos < n && fill()) {
            // keep reading
        }
        return Math.min(n, limit - pos);
    }

    /**
     * Copies up to {@code len} bytes, taking buffered ones first and reading the rest straight from
     * the stream; -1 at its end. For decoders that do their own buffering (zstd) and for NONE.
     */
    int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos < limit) {
            int n = Math.min(len, limit - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }
        if (eof) {
            return -1;
        }
        if (len < buf.length / 4) { // small reads are served from the buffer, large ones bypass it
            if (!fill()) {
                return -1;
            }
            return read(b, off, len);
        }
        int n = in.read(b, off, len);
        if (n < 0) {
            eof = true;
            return -1;
        }
        base = offset() + n; // bytes that bypassed the buffer still count toward the offset
        pos = 0;
        limit = 0;
        return n;
    }

    void close() throws IOException {
        in.close();
    }
}
