package io.strata.codec.digest;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.security.MessageDigest;

/** SHA-256 in libcrypto, as a {@link MessageDigest}; its native context is freed when it becomes unreachable. */
final class NativeSha256 extends MessageDigest implements Cloneable {
    private static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().daemon().name("strata-sha256-cleaner").factory());

    private final MemorySegment ctx;
    private final byte[] one = new byte[1];

    NativeSha256() {
        this(LibCrypto.newSha256());
    }

    private NativeSha256(MemorySegment ctx) {
        super("SHA-256");
        this.ctx = ctx;
        CLEANER.register(this, () -> LibCrypto.free(ctx));
    }

    @Override
    protected void engineUpdate(byte input) {
        one[0] = input;
        LibCrypto.update(ctx, MemorySegment.ofArray(one));
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        if (len > 0) {
            LibCrypto.update(ctx, MemorySegment.ofArray(input).asSlice(offset, len));
        }
    }

    @Override
    protected byte[] engineDigest() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(32);
            LibCrypto.finish(ctx, out);
            LibCrypto.reset(ctx);
            return out.toArray(JAVA_BYTE);
        }
    }

    @Override
    protected void engineReset() {
        LibCrypto.reset(ctx);
    }

    @Override
    protected int engineGetDigestLength() {
        return 32;
    }

    @Override
    public Object clone() {
        return new NativeSha256(LibCrypto.copy(ctx));
    }
}
