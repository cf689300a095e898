package io.strata.backend.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The fields of an ext4 superblock (1024 bytes at offset 1024 of the image) that the block
 * backend reads: inode counts for usage, and the state flags that say whether the image may be
 * resized offline. Only meaningful for an image that is not mounted: while mounted, the kernel
 * keeps free counts in memory and writes them back at unmount.
 */
record Ext4Superblock(long inodesCount, long freeInodesCount, long blocksCount, int blockSize, int state,
        int featureCompat, int featureIncompat) {

    private static final int MAGIC = 0xEF53;
    private static final int STATE_ERRORS = 0x2;
    private static final int COMPAT_RESIZE_INODE = 0x10;
    private static final int INCOMPAT_RECOVER = 0x4;
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
        return new Ext4Superblock(
                Integer.toUnsignedLong(b.getInt(0x00)),
                Integer.toUnsignedLong(b.getInt(0x10)),
                (blocksHi << 32) | Integer.toUnsignedLong(b.getInt(0x04)),
                1024 << b.getInt(0x18),
                Short.toUnsignedInt(b.getShort(0x3A)),
                b.getInt(0x5C),
                incompat);
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

    /** Descriptor blocks reserved for growth ({@code resize_inode}); the templates have none. */
    boolean hasResizeInode() {
        return (featureCompat & COMPAT_RESIZE_INODE) != 0;
    }
}
