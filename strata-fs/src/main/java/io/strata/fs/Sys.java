package io.strata.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Checked wrappers over {@link LibC} on byte-string paths; shared by the public helpers and the walkers. */
final class Sys {
    /** XATTR_LIST_MAX and XATTR_SIZE_MAX: a list or value never exceeds this. */
    static final int XATTR_MAX = 65536;

    private Sys() {}

    static int open(byte[] path, int flags, int mode) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            int fd = LibC.openat(LibC.AT_FDCWD, f.cstr(path), flags | LibC.O_CLOEXEC, mode);
            if (fd < 0) {
                throw LibC.error("open", path);
            }
            return fd;
        }
    }

    /** Closes quietly: used in finally blocks where the first error is the interesting one. */
    static void closeQuietly(int fd) {
        if (fd >= 0) {
            LibC.close(fd);
        }
    }

    static void lchown(byte[] path, int uid, int gid) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            if (LibC.fchownat(LibC.AT_FDCWD, f.cstr(path), uid, gid, LibC.AT_SYMLINK_NOFOLLOW) != 0) {
                throw LibC.error("lchown", path);
            }
        }
    }

    /** chmod that refuses (EOPNOTSUPP) rather than follows a symbolic link. */
    static void chmodNoFollow(byte[] path, int mode) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment p = f.cstr(path);
            int r = LibC.fchmodat2(LibC.AT_FDCWD, p, mode & 07777, LibC.AT_SYMLINK_NOFOLLOW);
            if (r != 0 && LibC.errno() == ErrnoException.ENOSYS) {
                // Kernel before 6.6: glibc emulates NOFOLLOW through an O_PATH descriptor.
                r = LibC.fchmodat(LibC.AT_FDCWD, p, mode & 07777, LibC.AT_SYMLINK_NOFOLLOW);
            }
            if (r != 0) {
                throw LibC.error("chmod", path);
            }
        }
    }

    /** chmod for a path known not to be a symbolic link (one we just created). */
    static void chmod(byte[] path, int mode) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            if (LibC.fchmodat(LibC.AT_FDCWD, f.cstr(path), mode & 07777, 0) != 0) {
                throw LibC.error("chmod", path);
            }
        }
    }

    static void mknod(byte[] path, int mode, long dev) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            if (LibC.mknodat(LibC.AT_FDCWD, f.cstr(path), mode, dev) != 0) {
                throw LibC.error("mknod", path);
            }
        }
    }

    static void mkdir(byte[] path, int mode) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            if (LibC.mkdirat(LibC.AT_FDCWD, f.cstr(path), mode) != 0) {
                throw LibC.error("mkdir", path);
            }
        }
    }

    static void link(byte[] existing, byte[] newPath) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            if (LibC.linkat(LibC.AT_FDCWD, f.cstr(existing), LibC.AT_FDCWD, f.cstr(newPath), 0) != 0) {
                throw LibC.error("link " + NativePath.display(existing) + " ->", newPath);
            }
        }
    }

    /** Copies a symbolic link's target bytes verbatim from {@code src} to a new link {@code dst}. */
    static void copySymlink(byte[] src, byte[] dst) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment buf = f.raw(4097);
            long n = LibC.readlinkat(LibC.AT_FDCWD, f.cstr(src), buf, 4096);
            if (n < 0) {
                throw LibC.error("readlink", src);
            }
            buf.set(JAVA_BYTE, n, (byte) 0);
            if (LibC.symlinkat(buf, LibC.AT_FDCWD, f.cstr(dst)) != 0) {
                throw LibC.error("symlink", dst);
            }
        }
    }

    /** Two timespecs {atime, mtime} in native memory. */
    static MemorySegment timespecs(Scratch.Frame f, long atimeNanos, long mtimeNanos) {
        MemorySegment ts = f.raw(32);
        ts.set(JAVA_LONG, 0, Math.floorDiv(atimeNanos, 1_000_000_000L));
        ts.set(JAVA_LONG, 8, Math.floorMod(atimeNanos, 1_000_000_000L));
        ts.set(JAVA_LONG, 16, Math.floorDiv(mtimeNanos, 1_000_000_000L));
        ts.set(JAVA_LONG, 24, Math.floorMod(mtimeNanos, 1_000_000_000L));
        return ts;
    }

    static void setTimes(byte[] path, long atimeNanos, long mtimeNanos) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment ts = timespecs(f, atimeNanos, mtimeNanos);
            if (LibC.utimensat(LibC.AT_FDCWD, f.cstr(path), ts, LibC.AT_SYMLINK_NOFOLLOW) != 0) {
                throw LibC.error("utimensat", path);
            }
        }
    }

    static List<String> listXattrs(byte[] path) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment list = f.raw(XATTR_MAX);
            long n = LibC.llistxattr(f.cstr(path), list, XATTR_MAX);
            if (n < 0) {
                throw LibC.error("llistxattr", path);
            }
            List<String> names = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (list.get(JAVA_BYTE, i) == 0) {
                    names.add(new String(list.asSlice(start, i - start).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return names;
        }
    }

    static byte[] getXattr(byte[] path, String name) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment value = f.raw(XATTR_MAX);
            long n = LibC.lgetxattr(f.cstr(path), f.cstr(name), value, XATTR_MAX);
            if (n < 0) {
                throw LibC.error("lgetxattr " + name, path);
            }
            return value.asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    static void setXattr(byte[] path, String name, byte[] value) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment v = f.raw(Math.max(1, value.length), 1);
            MemorySegment.copy(value, 0, v, JAVA_BYTE, 0, value.length);
            if (LibC.lsetxattr(f.cstr(path), f.cstr(name), v, value.length, 0) != 0) {
                throw LibC.error("lsetxattr " + name, path);
            }
        }
    }

    static void removeXattr(byte[] path, String name) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            if (LibC.lremovexattr(f.cstr(path), f.cstr(name)) != 0) {
                throw LibC.error("lremovexattr " + name, path);
            }
        }
    }

    /**
     * Copies every extended attribute of {@code src} that can be read onto {@code dst}, without
     * following symbolic links. A source file system without xattr support copies nothing; an
     * attribute that vanished or that this process may not read is skipped; a failure to set one
     * is an error (as in continuity's CopyDir).
     */
    static void copyXattrs(byte[] src, byte[] dst) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment s = f.cstr(src);
            MemorySegment list = f.raw(XATTR_MAX);
            long n = LibC.llistxattr(s, list, XATTR_MAX);
            if (n <= 0) {
                if (n < 0 && LibC.errno() != ErrnoException.EOPNOTSUPP) {
                    throw LibC.error("llistxattr", src);
                }
                return;
            }
            MemorySegment d = f.cstr(dst);
            MemorySegment value = f.raw(XATTR_MAX);
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (list.get(JAVA_BYTE, i) != 0) {
                    continue;
                }
                MemorySegment name = list.asSlice(start, i - start + 1);
                start = i + 1;
                long len = LibC.lgetxattr(s, name, value, XATTR_MAX);
                if (len < 0) {
                    int e = LibC.errno();
                    if (e == ErrnoException.ENODATA || e == ErrnoException.EPERM || e == ErrnoException.EACCES) {
                        continue;
                    }
                    throw LibC.error("lgetxattr " + name.getString(0), src);
                }
                if (LibC.lsetxattr(d, name, value, len, 0) != 0) {
                    throw LibC.error("lsetxattr " + name.getString(0), dst);
                }
            }
        }
    }
}
