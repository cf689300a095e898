package io.strata.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/** Reads directory entries with getdents64(2), skipping "." and "..". */
final class DirReader {
    static final int DT_UNKNOWN = 0;
    private static final long BUFFER = 32 * 1024;
    private static final long NAME = 19; // offsetof(struct linux_dirent64, d_name)

    /** Called once per entry; {@code name} is the NUL-terminated name inside the read buffer. */
    @FunctionalInterface
    interface Visitor {
        void entry(MemorySegment name, int nameLength, int dtype) throws IOException;
    }

    private DirReader() {}

    /** Opens {@code dir} (not following a symbolic link) and visits its entries while it is open. */
    static void read(byte[] dir, Visitor visitor) throws IOException {
        int fd = Sys.open(dir, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0);
        try {
            read(fd, dir, visitor);
        } finally {
            Sys.closeQuietly(fd);
        }
    }

    static void read(int fd, Object dirForErrors, Visitor visitor) throws IOException {
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment buf = f.raw(BUFFER);
            while (true) {
                long n = LibC.getdents64(fd, buf, BUFFER);
                if (n < 0) {
                    throw LibC.error("getdents64", dirForErrors);
                }
                if (n == 0) {
                    return;
                }
                for (long off = 0; off < n; ) {
                    int reclen = Short.toUnsignedInt(buf.get(JAVA_SHORT_UNALIGNED, off + 16));
                    int dtype = Byte.toUnsignedInt(buf.get(JAVA_BYTE, off + 18));
                    long nameStart = off + NAME;
                    int len = 0;
                    while (buf.get(JAVA_BYTE, nameStart + len) != 0) {
                        len++;
                    }
                    if (!isDot(buf, nameStart, len)) {
                        visitor.entry(buf.asSlice(nameStart, len + 1), len, dtype);
                    }
                    off += reclen;
                }
            }
        }
    }

    private static boolean isDot(MemorySegment buf, long at, int len) {
        return (len == 1 || len == 2) && buf.get(JAVA_BYTE, at) == '.' && (len == 1 || buf.get(JAVA_BYTE, at + 1) == '.');
    }

    /** lstat of one entry relative to its open directory; errors name the entry's full path. */
    static Stat lstatEntry(int dirfd, byte[] dir, MemorySegment name, int len) throws ErrnoException {
        try {
            return Stat.at(dirfd, name, LibC.AT_SYMLINK_NOFOLLOW, null);
        } catch (ErrnoException e) {
            throw new ErrnoException("lstat", NativePath.display(NativePath.child(dir, nameBytes(name, len))), e.errno());
        }
    }

    static byte[] nameBytes(MemorySegment name, int len) {
        return name.asSlice(0, len).toArray(JAVA_BYTE);
    }
}
