package io.strata.backend;

import io.strata.api.InvalidArgumentException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Options of the block backend.
 *
 * @param scratchSize size in bytes of the ext4 image a snapshot without parent starts from (the
 *                    template, formatted once per size); a multiple of 4096 of at least
 *                    {@link #MIN_SCRATCH_SIZE}. Images are sparse, so a large size costs little
 *                    disk; a prepare can grow its own image with a size label, up to
 *                    {@link #MAX_SCRATCH_SIZE}.
 */
public record BlockOptions(long scratchSize) {
    /** 10 GiB: LCOW's scratch is 20 GB; half of that is plenty for a container and costs ~100 KiB sparse. */
    public static final long DEFAULT_SCRATCH_SIZE = 10L << 30;
    /** 64 MiB: below that mkfs.ext4 changes its layout (1 KiB blocks, tiny journal). */
    public static final long MIN_SCRATCH_SIZE = 64L << 20;
    /**
     * 16 TiB less 4 KiB: the largest file ext4 holds with 4 KiB blocks, so an image fits on any
     * host file system; and a bound on what one label can cost (growing 10 GiB to 16 TiB writes
     * ~240 MiB of group metadata and takes seconds).
     */
    public static final long MAX_SCRATCH_SIZE = (16L << 40) - 4096;
    public static final BlockOptions DEFAULTS = new BlockOptions(DEFAULT_SCRATCH_SIZE);

    private static final Pattern SIZE = Pattern.compile("([0-9]{1,19})\\s*([KMGTP]?)(?:I?B)?");

    public BlockOptions {
        if (scratchSize < MIN_SCRATCH_SIZE || scratchSize > MAX_SCRATCH_SIZE || scratchSize % 4096 != 0) {
            throw new InvalidArgumentException("block scratch size " + scratchSize + " must be a multiple of 4096 bytes"
                    + " from " + MIN_SCRATCH_SIZE + " (64 MiB) to " + MAX_SCRATCH_SIZE + " (16 TiB - 4 KiB)");
        }
    }

    public BlockOptions withScratchSize(long bytes) {
        return new BlockOptions(bytes);
    }

    /**
     * Parses a size in bytes, optionally with a binary unit: {@code 1073741824}, {@code 512M},
     * {@code 10G}, {@code 10GiB}, {@code 1T} (K, M, G, T, P are powers of 1024; case ignored).
     *
     * @throws InvalidArgumentException naming the text if it is not such a size or overflows
     */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.strip().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new InvalidArgumentException("\"" + text + "\" is not a size (want bytes, or a number with K, M, G, T or P)");
        }
        int shift = 10 * "_KMGTP".indexOf(m.group(2).isEmpty() ? "_" : m.group(2));
        try {
            long n = Long.parseLong(m.group(1));
            if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException("size \"" + text + "\" is too large");
        }
    }
}
