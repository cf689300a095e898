package io.strata.backend.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The fields of an ext4 superblock (1024 bytes at offset 1024 of the image) that the block
 * backend reads: inode counts for usage, the geometry that bounds growth, and the state flags
 * that say whether the image may be resized offline. Only meaningful for an image that is not
 * mounted: while mounted, the kernel keeps free counts in memory and writes them back at unmount.
 */
record Ext4Superblock(long inodesCount, long freeInodesCount, long blocksCount, long firstDataBlock, int blockSize,
        long blocksPerGroup, int state, int featureCompat, int featureIncompat, int reservedGdtBlocks, int descSize) {

    private static final int MAGIC = 0xEF53;
    private static final int STATE_ERRORS = 0x2;
    private static final int COMPAT_RESIZE_INODE = 0x10;
    private static final int INCOMPAT_RECOVER = 0x4;
    private static final int INCOMPAT_META_BG = 0x10;
    private static final int INCOMPAT_64BIT = 0x80;

    /** Reads the primary superblock of {@code image}; an IOException if it is not ext2/3/4. */
    static Ext4Superblock read(Path image) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            while (b.hasRemaining()) {
                if (ch.read(b, 1024L + b.position()) < 0) {
                    throw new IOException(image + " is too short to hold an ext4 file system");
                }
            }
        }
        if (Short.toUnsignedInt(b.getShort(0x38)) != MAGIC) {
            throw new IOException(image + " holds no ext4 file system (bad superblock magic)");
        }
        int incompat = b.getInt(0x60);
        long blocksHi = (incompat & INCOMPAT_64BIT) != 0 ? Integer.toUnsignedLong(b.getInt(0x150)) : 0;
        int descSize = (incompat & INCOMPAT_64BIT) != 0 ? Short.toUnsignedInt(b.getShort(0xFE)) : 32;
        return new Ext4Superblock(
                Integer.toUnsignedLong(b.getInt(0x00)),
                Integer.toUnsignedLong(b.getInt(0x10)),
                (blocksHi << 32) | Integer.toUnsignedLong(b.getInt(0x04)),
                Integer.toUnsignedLong(b.getInt(0x14)),
                1024 << b.getInt(0x18),
                Integer.toUnsignedLong(b.getInt(0x20)),
                Short.toUnsignedInt(b.getShort(0x3A)),
                b.getInt(0x5C),
                incompat,
                Short.toUnsignedInt(b.getShort(0xCE)),
                descSize == 0 ? 32 : descSize);
    }

    /** Inodes in use, as {@code df -i} would show after a clean unmount. */
    long usedInodes() {
        return inodesCount - freeInodesCount;
    }

    /** Size of the file system in bytes. */
    long sizeBytes() {
        return blocksCount * blockSize;
    }

    /** The journal holds transactions not yet written in place: the image was not cleanly unmounted. */
    boolean needsRecovery() {
        return (featureIncompat & INCOMPAT_RECOVER) != 0;
    }

    /** The kernel recorded errors; only e2fsck may touch such a file system. */
    boolean hasErrors() {
        return (state & STATE_ERRORS) != 0;
    }

    /**
     * The largest size in bytes this file system can be grown to without moving metadata: its
     * block group descriptors must fit in the descriptor blocks in use plus those reserved at format
     * time (the {@code resize_inode} feature; mke2fs reserves for 1024 times the original size).
     * With {@code meta_bg} descriptors live in their groups and there is no such bound.
     */
    long maxGrowBytes() {
        if ((featureIncompat & INCOMPAT_META_BG) != 0) {
            return Long.MAX_VALUE;
        }
        long perBlock = blockSize / descSize;
        long groups = ceilDiv(blocksCount - firstDataBlock, blocksPerGroup);
        long reserved = (featureCompat & COMPAT_RESIZE_INODE) != 0 ? reservedGdtBlocks : 0;
        long maxGroups = (ceilDiv(groups, perBlock) + reserved) * perBlock;
        return Math.multiplyHigh(maxGroups * blocksPerGroup, blockSize) != 0
                ? Long.MAX_VALUE
                : (maxGroups * blocksPerGroup + firstDataBlock) * blockSize;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
