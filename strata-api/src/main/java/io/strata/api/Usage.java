package io.strata.api;

/**
 * Resources a snapshot uses: {@code size} in bytes (allocated blocks, hard links counted once) and
 * the number of {@code inodes}. Stored at commit for committed snapshots, measured on demand for
 * active ones.
 */
public record Usage(long size, long inodes) {
    public static final Usage ZERO = new Usage(0, 0);

    public Usage {
        if (size < 0 || inodes < 0) {
            throw new InvalidArgumentException("usage must not be negative: size=" + size + " inodes=" + inodes);
        }
    }

    /** The sum of this and {@code other}. */
    public Usage plus(Usage other) {
        return new Usage(size + other.size, inodes + other.inodes);
    }
}
