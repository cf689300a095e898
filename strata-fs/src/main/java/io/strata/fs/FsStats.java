package io.strata.fs;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * What statfs(2) reports about the file system holding a path: sizes in units of
 * {@code blockSize}, inode totals. What {@code df} and {@code df -i} show.
 *
 * @param blockSize  the fundamental block size ({@code f_bsize})
 * @param blocks     total data blocks
 * @param freeBlocks free blocks
 * @param availBlocks blocks free to unprivileged users
 * @param files      total inodes
 * @param freeFiles  free inodes
 */
public record FsStats(long blockSize, long blocks, long freeBlocks, long availBlocks, long files, long freeFiles) {
    /** Size of {@code struct statfs} on x86_64 (and every other 64-bit glibc target). */
    private static final long SIZE = 120;

    /** statfs(2) of the file system that holds {@code path}. */
    public static FsStats of(Path path) throws ErrnoException {
        byte[] p = NativePath.bytes(path);
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment buf = f.allocate(SIZE, 8);
            if (LibC.statfs(f.cstr(p), buf) != 0) {
                throw LibC.error("statfs", p);
            }
            return new FsStats(buf.get(JAVA_LONG, 8), buf.get(JAVA_LONG, 16), buf.get(JAVA_LONG, 24),
                    buf.get(JAVA_LONG, 32), buf.get(JAVA_LONG, 40), buf.get(JAVA_LONG, 48));
        }
    }

    /** Total size in bytes ({@code df}'s size column). */
    public long totalBytes() {
        return blocks * blockSize;
    }

    /** Inodes in use ({@code df -i}'s IUsed column). */
    public long usedFiles() {
        return files - freeFiles;
    }
}
