package io.strata.oci;

import io.strata.api.InvalidArgumentException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Content digests as the OCI spec writes them: {@code sha256:<64 lowercase hex>}. Only sha256 is
 * supported (it is the only algorithm registries and containerd use by default); any other
 * algorithm is an {@link InvalidArgumentException} naming it.
 */
public final class Digests {
    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern ANY = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");

    private Digests() {}

    /**
     * Returns {@code digest} if it is a well-formed sha256 digest.
     *
     * @throws InvalidArgumentException if it is malformed or uses another algorithm
     */
    public static String require(String digest) {
        if (digest == null) {
            throw new InvalidArgumentException("digest is missing");
        }
        if (SHA256.matcher(digest).matches()) {
            return digest;
        }
        if (ANY.matcher(digest).matches() && !digest.startsWith("sha256:")) {
            throw new InvalidArgumentException("unsupported digest algorithm in \"" + digest + "\": only sha256");
        }
        throw new InvalidArgumentException("invalid digest \"" + digest + "\": expected sha256:<64 lowercase hex>");
    }

    /** The hex part of a valid digest. */
    public static String hex(String digest) {
        return require(digest).substring("sha256:".length());
    }

    /** A new SHA-256 hasher (the JDK's: this class digests documents, not layers). */
    private static MessageDigest newHasher() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /** {@code sha256:<hex>} of what {@code hasher} has seen; resets it. */
    public static String finish(MessageDigest hasher) {
        return "sha256:" + HexFormat.of().formatHex(hasher.digest());
    }

    /** {@code sha256:<hex>} of {@code bytes}. */
    public static String of(byte[] bytes) {
        MessageDigest md = newHasher();
        md.update(bytes);
        return finish(md);
    }
}
