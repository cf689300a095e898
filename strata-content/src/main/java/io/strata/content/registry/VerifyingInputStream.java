package io.strata.content.registry;

import io.strata.api.InvalidArgumentException;
import io.strata.codec.digest.Sha256;
import io.strata.oci.Descriptor;
import io.strata.oci.Digests;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** Checks size and digest at end of stream. */
final class VerifyingInputStream extends FilterInputStream {
    private final Descriptor desc;
    private final MessageDigest md = Sha256.newDigest();
    private long count;
    private boolean checked;

    VerifyingInputStream(InputStream in, Descriptor desc) {
        super(in);
        this.desc = desc;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            md.update(b, off, n);
            count += n;
            if (count > desc.size()) {
                throw new InvalidArgumentException(desc.digest() + ": more than the expected " + desc.size() + " bytes");
            }
        } else if (n < 0 && !checked) {
            checked = true;
            String actual = Digests.finish(md);
            if (count != desc.size() || !actual.equals(desc.digest())) {
                throw new InvalidArgumentException("blob " + desc.digest() + ": expected " + desc.size() + " bytes, got "
                        + count + " with digest " + actual);
            }
        }
        return n;
    }

    @Override
    public long skip(long n) {
        throw new UnsupportedOperationException("a verifying stream must be read, not skipped");
    }
}
