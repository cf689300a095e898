package io.strata.codec.compress;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One gzip member through the JDK's zlib. The header is fixed ({@code 1f 8b 08 00}, mtime 0,
 * XFL 0, OS 255 as Go's {@code gzip.Writer} writes it) so that output depends only on the input,
 * the level and the zlib build. Input is gathered in a large buffer first: a tar writer's 512-byte
 * writes would otherwise cost one native call each.
 */
final class GzipCompressor extends FilterOutputStream {
    /** zlib's and Go's default; ADR 0006 has the level numbers. */
    static final int DEFAULT_LEVEL = 6;

    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final Deflater deflater;
    private final CRC32 crc = new CRC32();
    private final byte[] in = new byte[Decompression.BUFFER_SIZE];
    private final byte[] buf = new byte[Decompression.BUFFER_SIZE];
    private int inLength;
    private long size;
    private boolean closed;

    GzipCompressor(OutputStream out, int level) throws IOException {
        super(out);
        deflater = new Deflater(level, true);
        out.write(HEADER);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("stream closed");
        }
        while (len > 0) {
            if (inLength == 0 && len >= in.length) {
                deflate(b, off, in.length); // a large write goes straight in, no copy
                off += in.length;
                len -= in.length;
                continue;
            }
            int n = Math.min(len, in.length - inLength);
            System.arraycopy(b, off, in, inLength, n);
            inLength += n;
            off += n;
            len -= n;
            if (inLength == in.length) {
                deflate(in, 0, inLength);
                inLength = 0;
            }
        }
    }

    private void deflate(byte[] b, int off, int len) throws IOException {
        crc.update(b, off, len);
        size += len;
        deflater.setInput(b, off, len);
        while (!deflater.needsInput()) {
            drain();
        }
    }

    private void drain() throws IOException {
        int n = deflater.deflate(buf, 0, buf.length, Deflater.NO_FLUSH);
        if (n > 0) {
            out.write(buf, 0, n);
        }
    }

    /** Writes what was gathered; the member stays open (gzip has no cheap way to flush without changing the bytes). */
    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (inLength > 0) {
                deflate(in, 0, inLength);
                inLength = 0;
            }
            deflater.finish();
            while (!deflater.finished()) {
                drain();
            }
            long c = crc.getValue();
            out.write(new byte[] {(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
                    (byte) size, (byte) (size >> 8), (byte) (size >> 16), (byte) (size >> 24)});
            out.flush();
        } finally {
            deflater.end();
            out.close();
        }
    }
}
