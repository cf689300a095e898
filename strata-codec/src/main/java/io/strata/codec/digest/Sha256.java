package io.strata.codec.digest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * SHA-256 for layers and blobs, where it runs over every byte a pull downloads and unpacks. It is
 * libcrypto's when the library loads and passes its self-test: that uses the CPU's SHA extensions
 * from the first byte, where the JDK's runs in Java until C2 compiles it (and never as fast when
 * the JVM runs C1 only, as Strata's launcher does). Otherwise the JDK's.
 */
public final class Sha256 {
    private Sha256() {
    }

    /** A new SHA-256 digest; clone() and reset() work as on any MessageDigest. */
    public static MessageDigest newDigest() {
        if (LibCrypto.unavailable().isEmpty()) {
            return new NativeSha256();
        }
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /** Why the JDK's SHA-256 is used instead of libcrypto's, or empty when libcrypto's is. */
    public static Optional<String> nativeUnavailable() {
        return LibCrypto.unavailable();
    }
}
