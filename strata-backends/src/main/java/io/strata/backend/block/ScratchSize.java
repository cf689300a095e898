package io.strata.backend.block;

import io.strata.api.InvalidArgumentException;
import io.strata.backend.BlockOptions;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The scratch size a prepare asks for through its labels: LCOW's
 * {@value BlockSnapshotter#SIZE_GB_LABEL} in GiB (as hcsshim reads it) or Strata's
 * {@value BlockSnapshotter#SIZE_BYTES_LABEL} in bytes. Values are positive decimal integers; when
 * both labels are given they must name the same size.
 */
final class ScratchSize {
    private ScratchSize() {
    }

    /** The size asked for, in bytes, or empty when no size label is set. */
    static OptionalLong requested(Map<String, String> labels) {
        String gb = labels.get(BlockSnapshotter.SIZE_GB_LABEL);
        String bytes = labels.get(BlockSnapshotter.SIZE_BYTES_LABEL);
        OptionalLong fromGb = gb == null ? OptionalLong.empty()
                : OptionalLong.of(positive(BlockSnapshotter.SIZE_GB_LABEL, gb, Integer.MAX_VALUE) << 30);
        OptionalLong fromBytes = bytes == null ? OptionalLong.empty()
                : OptionalLong.of(positive(BlockSnapshotter.SIZE_BYTES_LABEL, bytes, Long.MAX_VALUE));
        if (fromGb.isPresent() && fromBytes.isPresent() && fromGb.getAsLong() != fromBytes.getAsLong()) {
            throw new InvalidArgumentException("size labels disagree: " + BlockSnapshotter.SIZE_GB_LABEL + "=" + gb
                    + " is " + fromGb.getAsLong() + " bytes but " + BlockSnapshotter.SIZE_BYTES_LABEL + "=" + bytes);
        }
        return fromBytes.isPresent() ? fromBytes : fromGb;
    }

    private static long positive(String label, String value, long max) {
        long n = -1;
        if (value.matches("[0-9]{1,19}")) {
            try {
                n = Long.parseLong(value);
            } catch (NumberFormatException tooLarge) {
                n = -1;
            }
        }
        if (n <= 0 || n > max) {
            throw new InvalidArgumentException("label " + label + "=\"" + value + "\": want a whole number from 1 to " + max);
        }
        return n;
    }

    /**
     * Checks that a scratch that starts as a copy of {@code from} ({@code have} bytes) can become
     * {@code wanted} bytes: never smaller, and at most {@link BlockOptions#MAX_SCRATCH_SIZE}.
     */
    static void checkGrowth(long wanted, long have, String from) {
        if (wanted < have) {
            throw new InvalidArgumentException("cannot shrink a block snapshot: the labels ask for " + wanted
                    + " bytes but its scratch starts as a copy of " + from + ", which is " + have + " bytes");
        }
        if (wanted > BlockOptions.MAX_SCRATCH_SIZE) {
            throw new InvalidArgumentException("cannot grow a block snapshot to " + wanted + " bytes: the limit is "
                    + BlockOptions.MAX_SCRATCH_SIZE + " bytes (16 TiB - 4 KiB)");
        }
    }
}
