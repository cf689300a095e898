package io.strata.codec.compress;

import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;

/**
 * gzip framing (RFC 1952) around a {@link DeflateEngine}: members one after another, each header
 * parsed and checked (method, reserved flags, optional header CRC), each trailer's CRC-32 and
 * ISIZE checked against what was decoded. After the last member the stream must end: bytes that
 * do not start another member are an error, as in Go's {@code gzip.Reader} in multistream mode,
 * which containerd uses (GNU gzip and {@code java.util.zip.GZIPInputStream} ignore them instead).
 */
final class GzipDecoder extends BlockInputStream {
    private static final int FHCRC = 0x02;
    private static final int FEXTRA = 0x04;
    private static final int FNAME = 0x08;
    private static final int FCOMMENT = 0x10;
    private static final int RESERVED = 0xe0;

    private enum State { HEADER, BODY, DONE }

    private final RawSource src;
    private final DeflateEngine engine;
    private State state = State.HEADER;
    private int member;
    private long memberStart;
    private long memberOut;
    private boolean closed;

    GzipDecoder(RawSource src, DeflateEngine engine) {
        this.src = src;
        this.engine = engine;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (true) {
            switch (state) {
                case DONE -> {
                    return -1;
                }
                case HEADER -> {
                    if (!readHeader()) {
                        state = State.DONE;
                        return -1;
                    }
                    state = State.BODY;
                }
                case BODY -> {
                    int n = inflate(b, off, len);
                    if (n > 0) {
                        memberOut += n;
                        return n;
                    }
                    if (engine.finished()) {
                        src.unread(engine.remaining());
                        readTrailer();
                        state = State.HEADER;
                    } else if (engine.needsInput()) {
                        feed();
                    } else {
                        throw corrupt(src.offset(), "deflate decoder made no progress");
                    }
                }
            }
        }
    }

    private int inflate(byte[] b, int off, int len) throws CorruptStreamException {
        try {
            return engine.inflate(b, off, len);
        } catch (DataFormatException e) {
            throw new CorruptStreamException(Compression.GZIP, src.offset() - engine.remaining(),
                    "invalid deflate data in member " + member + " (which starts at byte " + memberStart + "): "
                            + e.getMessage(), e);
        }
    }

    private void feed() throws IOException {
        if (src.available() == 0 && !src.fill()) {
            throw corrupt(src.offset(), "truncated: input ended inside the deflate data of member " + member
                    + " (which starts at byte " + memberStart + ") after " + memberOut + " bytes of output");
        }
        int n = Math.min(src.available(), engine.inputCapacity());
        engine.setInput(src.buffer(), src.position(), n);
        src.skip(n);
    }

    /** Reads the next member's header; false if the stream ends cleanly instead. */
    private boolean readHeader() throws IOException {
        long start = src.offset();
        int id1 = src.read();
        if (id1 < 0 && member > 0) {
            return false;
        }
        int id2 = id1 < 0 ? -1 : src.read();
        if (id1 != 0x1f || id2 != 0x8b) {
            if (member == 0) {
                throw corrupt(start, "not a gzip stream: it starts with " + hex(id1, id2));
            }
            src.unread(id2 < 0 ? 1 : 2);
            int shown = src.require(8);
            String head = HexFormat.ofDelimiter(" ").formatHex(src.buffer(), src.position(), src.position() + shown);
            throw corrupt(start, "trailing data after the last member (member " + member
                    + " ended here): " + head + (shown == 8 ? " ..." : "") + " is not a gzip header");
        }
        member++;
        memberStart = start;
        memberOut = 0;
        CRC32 headerCrc = new CRC32();
        headerCrc.update(0x1f);
        headerCrc.update(0x8b);
        int method = headerByte(headerCrc);
        if (method != 8) {
            throw corrupt(start + 2, "member " + member + " uses compression method " + method + ", not deflate (8)");
        }
        int flags = headerByte(headerCrc);
        if ((flags & RESERVED) != 0) {
            throw corrupt(start + 3, "member " + member + " has reserved header flags set: 0x" + Integer.toHexString(flags));
        }
        for (int i = 0; i < 6; i++) { // MTIME, XFL, OS
            headerByte(headerCrc);
        }
        if ((flags & FEXTRA) != 0) {
            int xlen = headerByte(headerCrc) | headerByte(headerCrc) << 8;
            for (int i = 0; i < xlen; i++) {
                headerByte(headerCrc);
            }
        }
        if ((flags & FNAME) != 0) {
            while (headerByte(headerCrc) != 0) {
                // skip the file name
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (headerByte(headerCrc) != 0) {
                // skip the comment
            }
        }
        if ((flags & FHCRC) != 0) {
            int expected = (int) headerCrc.getValue() & 0xffff;
            long at = src.offset();
            int stored = headerByte(null) | headerByte(null) << 8;
            if (stored != expected) {
                throw corrupt(at, "header CRC16 mismatch in member " + member + ": header says "
                        + String.format("%04x", stored) + ", header has " + String.format("%04x", expected));
            }
        }
        engine.reset();
        return true;
    }

    private int headerByte(CRC32 crc) throws IOException {
        int b = src.read();
        if (b < 0) {
            throw corrupt(src.offset(), "truncated: input ended inside the header of member " + member
                    + " (which starts at byte " + memberStart + ")");
        }
        if (crc != null) {
            crc.update(b);
        }
        return b;
    }

    private void readTrailer() throws IOException {
        long at = src.offset();
        if (src.require(8) < 8) {
            throw corrupt(at, "truncated: input ended inside the trailer of member " + member
                    + " (which starts at byte " + memberStart + ")");
        }
        byte[] buf = src.buffer();
        int p = src.position();
        int crc = le32(buf, p);
        int isize = le32(buf, p + 4);
        src.skip(8);
        if (crc != engine.crc()) {
            throw corrupt(at, String.format("CRC32 mismatch in member %d (bytes %d..%d): trailer says %08x, data has %08x",
                    member, memberStart, at + 8, crc, engine.crc()));
        }
        if (isize != (int) memberOut) {
            throw corrupt(at, String.format("size mismatch in member %d (bytes %d..%d): trailer says %d bytes mod 2^32,"
                    + " data has %d", member, memberStart, at + 8, Integer.toUnsignedLong(isize), memberOut));
        }
    }

    private static int le32(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }

    private static String hex(int a, int b) {
        StringBuilder s = new StringBuilder();
        for (int v : new int[] {a, b}) {
            if (v >= 0) {
                s.append(s.isEmpty() ? "" : " ").append(String.format("%02x", v));
            }
        }
        return s.isEmpty() ? "nothing" : s.toString();
    }

    private CorruptStreamException corrupt(long offset, String detail) {
        return new CorruptStreamException(Compression.GZIP, offset, detail);
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            try {
                engine.close();
            } finally {
                src.close();
            }
        }
    }
}
