package io.strata.fs;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Moves the bytes of one open file into another: FICLONE, else copy_file_range over the data
 * regions (holes stay holes, as in continuity's copyFile), else pread/pwrite.
 */
final class FileClone {
    private static final long MAX_CHUNK = 1L << 30;
    private static final int BUFFER = 1 << 20;

    private FileClone() {}

    /**
     * Copies {@code size} bytes from {@code sfd} into the empty or to-be-overwritten {@code dfd}.
     * The names are only for error messages.
     */
    static CopyMethod copy(int sfd, int dfd, long size, Object src, Object dst) throws IOException {
        if (LibC.ioctl(dfd, LibC.FICLONE, sfd) == 0) {
            return CopyMethod.REFLINK;
        }
        int e = LibC.errno();
        if (e != ErrnoException.EOPNOTSUPP && e != ErrnoException.EXDEV && e != ErrnoException.EINVAL
                && e != ErrnoException.ENOTTY) {
            throw LibC.error("ioctl FICLONE " + NativePath.display(src) + " ->", dst);
        }
        if (LibC.ftruncate(dfd, size) != 0) {
            throw LibC.error("ftruncate", dst);
        }
        if (copyRegions(sfd, dfd, size, true, src, dst)) {
            return CopyMethod.COPY_FILE_RANGE;
        }
        copyRegions(sfd, dfd, size, false, src, dst);
        return CopyMethod.READ_WRITE;
    }

    /**
     * Copies each data region of the source. With {@code useCfr}, returns false as soon as
     * copy_file_range reports that it cannot work between these files (EXDEV, EOPNOTSUPP, EINVAL,
     * ENOSYS), so the caller can start over with read/write.
     */
    private static boolean copyRegions(int sfd, int dfd, long size, boolean useCfr, Object src, Object dst)
            throws IOException {
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment offs = f.raw(16);
            MemorySegment buf = useCfr ? null : f.raw(BUFFER);
            long off = 0;
            while (off < size) {
                long data = LibC.lseek(sfd, off, LibC.SEEK_DATA);
                long hole;
                if (data < 0) {
                    int e = LibC.errno();
                    if (e == ErrnoException.ENXIO) {
                        break; // only a hole is left; ftruncate already made it
                    }
                    if (e != ErrnoException.EINVAL && e != ErrnoException.EOPNOTSUPP) {
                        throw LibC.error("lseek SEEK_DATA", src);
                    }
                    data = off;
                    hole = size;
                } else {
                    hole = LibC.lseek(sfd, data, LibC.SEEK_HOLE);
                    if (hole < 0) {
                        if (LibC.errno() != ErrnoException.ENXIO) {
                            throw LibC.error("lseek SEEK_HOLE", src);
                        }
                        hole = size;
                    }
                }
                hole = Math.min(hole, size);
                if (useCfr) {
                    if (!copyFileRange(sfd, dfd, data, hole, offs, src, dst)) {
                        return false;
                    }
                } else {
                    readWrite(sfd, dfd, data, hole, buf, src, dst);
                }
                CrashPoint.reach("prepare.mid-copy");
                off = hole;
            }
            return true;
        }
    }

    private static boolean copyFileRange(int sfd, int dfd, long from, long to, MemorySegment offs, Object src,
            Object dst) throws IOException {
        offs.set(JAVA_LONG, 0, from);
        offs.set(JAVA_LONG, 8, from);
        while (offs.get(JAVA_LONG, 0) < to) {
            long want = Math.min(MAX_CHUNK, to - offs.get(JAVA_LONG, 0));
            long n = LibC.copyFileRange(sfd, offs, dfd, offs.asSlice(8), want, 0);
            if (n < 0) {
                int e = LibC.errno();
                if (e == ErrnoException.EXDEV || e == ErrnoException.EOPNOTSUPP || e == ErrnoException.EINVAL
                        || e == ErrnoException.ENOSYS) {
                    return false;
                }
                throw LibC.error("copy_file_range " + NativePath.display(src) + " ->", dst);
            }
            if (n == 0) {
                throw new IOException("copy_file_range " + NativePath.display(src) + ": file shrank while copying");
            }
        }
        return true;
    }

    private static void readWrite(int sfd, int dfd, long from, long to, MemorySegment buf, Object src, Object dst)
            throws IOException {
        long off = from;
        while (off < to) {
            long n = LibC.pread(sfd, buf, Math.min(BUFFER, to - off), off);
            if (n < 0) {
                if (LibC.errno() == ErrnoException.EINTR) {
                    continue;
                }
                throw LibC.error("read", src);
            }
            if (n == 0) {
                throw new IOException("read " + NativePath.display(src) + ": file shrank while copying");
            }
            long written = 0;
            while (written < n) {
                long w = LibC.pwrite(dfd, buf.asSlice(written), n - written, off + written);
                if (w < 0) {
                    if (LibC.errno() == ErrnoException.EINTR) {
                        continue;
                    }
                    throw LibC.error("write", dst);
                }
                written += w;
            }
            off += n;
        }
    }
}
