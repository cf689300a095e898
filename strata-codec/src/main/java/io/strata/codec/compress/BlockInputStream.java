package io.strata.codec.compress;

import java.io.IOException;
import java.io.InputStream;

/** A decoder that works in blocks; single-byte reads are rare (a caller's buffer serves them) and go through the block path. */
abstract class BlockInputStream extends InputStream {
    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;
}
