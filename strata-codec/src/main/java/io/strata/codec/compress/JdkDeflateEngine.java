package io.strata.codec.compress;

import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** The portable engine: the JDK's zlib via {@link Inflater} in raw mode, CRC-32 by the JDK's intrinsic. */
final class JdkDeflateEngine implements DeflateEngine {
    static final String NAME = "zlib (java.util.zip)";

    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();

    @Override
    public int inputCapacity() {
        return Integer.MAX_VALUE;
    }

    @Override
    public void reset() {
        inflater.reset();
        crc.reset();
    }

    @Override
    public void setInput(byte[] b, int off, int len) {
        inflater.setInput(b, off, len);
    }

    @Override
    public int inflate(byte[] b, int off, int len) throws DataFormatException {
        int n = inflater.inflate(b, off, len);
        if (n > 0) {
            crc.update(b, off, n);
        } else if (!inflater.finished() && !inflater.needsInput()) {
            // raw deflate has no dictionary id; zlib asks for one only on garbage
            throw new DataFormatException("decoder asks for a preset dictionary");
        }
        return n;
    }

    @Override
    public boolean needsInput() {
        return inflater.needsInput();
    }

    @Override
    public boolean finished() {
        return inflater.finished();
    }

    @Override
    public int remaining() {
        return inflater.getRemaining();
    }

    @Override
    public int crc() {
        return (int) crc.getValue();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void close() {
        inflater.end();
    }
}
