package io.strata.archive;

import io.strata.api.InvalidArgumentException;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;

/**
 * How to apply a layer. Start from {@link #DEFAULTS} and change with the {@code with…} methods.
 *
 * @param expectedDiffId   when present, the sha256 of the uncompressed stream must equal it
 * @param expectedDigest   when present, the sha256 of the stream as given must equal it
 * @param allowDevices     whether character and block device entries may be created
 * @param progress         told the number of input bytes consumed so far, as reading goes on
 * @param overlayWhiteouts on a single bind mount, write whiteouts and opaque directories in
 *                         overlayfs form rather than carrying them out: the mount is the upper
 *                         directory of a snapshot that will be stacked on its parent at commit
 *                         (containerd 2.2's rebase, which its parallel unpacker uses)
 */
public record ApplyOptions(Optional<String> expectedDiffId, Optional<String> expectedDigest, boolean allowDevices,
                           LongConsumer progress, boolean overlayWhiteouts) {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    /** No expectations, devices allowed, no progress. */
    public static final ApplyOptions DEFAULTS = new ApplyOptions(Optional.empty(), Optional.empty(), true, n -> {}, false);

    public ApplyOptions {
        expectedDiffId.ifPresent(d -> check(d, "DiffID"));
        expectedDigest.ifPresent(d -> check(d, "digest"));
    }

    public ApplyOptions withExpectedDiffId(String diffId) {
        return new ApplyOptions(Optional.of(diffId), expectedDigest, allowDevices, progress, overlayWhiteouts);
    }

    public ApplyOptions withExpectedDigest(String digest) {
        return new ApplyOptions(expectedDiffId, Optional.of(digest), allowDevices, progress, overlayWhiteouts);
    }

    public ApplyOptions withAllowDevices(boolean allow) {
        return new ApplyOptions(expectedDiffId, expectedDigest, allow, progress, overlayWhiteouts);
    }

    public ApplyOptions withProgress(LongConsumer listener) {
        return new ApplyOptions(expectedDiffId, expectedDigest, allowDevices, listener, overlayWhiteouts);
    }

    public ApplyOptions withOverlayWhiteouts(boolean on) {
        return new ApplyOptions(expectedDiffId, expectedDigest, allowDevices, progress, on);
    }

    private static void check(String digest, String what) {
        if (!DIGEST.matcher(digest).matches()) {
            throw new InvalidArgumentException("expected " + what + " \"" + digest
                    + "\" is not of the form sha256:<64 lowercase hex digits>");
        }
    }
}
