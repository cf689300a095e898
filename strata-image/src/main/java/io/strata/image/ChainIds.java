package io.strata.image;

import io.strata.api.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Chain IDs of a layer stack (OCI image spec): ChainID(L0) = DiffID(L0), ChainID(L0…Ln) =
 * sha256(ChainID(L0…Ln-1) + " " + DiffID(Ln)). A committed snapshot named by a chain ID is the
 * unpacked form of that stack.
 */
public final class ChainIds {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private ChainIds() {}

    /** The chain ID of every prefix of {@code diffIds}, in order. */
    public static List<String> of(List<String> diffIds) {
        List<String> out = new ArrayList<>(diffIds.size());
        String chain = null;
        for (String diffId : diffIds) {
            if (!DIGEST.matcher(diffId).matches()) {
                throw new InvalidArgumentException("DiffID \"" + diffId + "\" is not sha256:<64 lowercase hex digits>");
            }
            chain = chain == null ? diffId : sha256(chain + " " + diffId);
            out.add(chain);
        }
        return out;
    }

    private static String sha256(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return "sha256:" + HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
