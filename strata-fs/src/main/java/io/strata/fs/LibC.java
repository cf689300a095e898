package io.strata.fs;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Downcalls into glibc (2.33 or newer for fstatat/mknodat, 2.36 for the new mount API). Every
 * wrapper returns the raw C result; on -1 the caller reads {@link #errno()} right away, on the
 * same thread, before any other call here. The errno captured by the linker lives in the calling
 * thread's {@link Scratch}.
 */
@SuppressWarnings("restricted") // this class is the module's one door to native code
final class LibC {
    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_EMPTY_PATH = 0x1000;
    static final int AT_RECURSIVE = 0x8000;

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_TRUNC = 01000;
    static final int O_NONBLOCK = 04000;
    static final int O_DIRECTORY = 0200000;
    static final int O_NOFOLLOW = 0400000;
    static final int O_CLOEXEC = 02000000;

    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;

    static final long FICLONE = 0x40049409L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_VALUE = Linker.Option.captureStateLayout()
            .varHandle(MemoryLayout.PathElement.groupElement("errno"));
    static final long CAPTURE_SIZE = Linker.Option.captureStateLayout().byteSize();
    static final long CAPTURE_ALIGN = Linker.Option.captureStateLayout().byteAlignment();

    private static final Downcall MOUNT = h("mount", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
    private static final Downcall UMOUNT2 = h("umount2", JAVA_INT, ADDRESS, JAVA_INT);
    private static final Downcall FSOPEN = h("fsopen", JAVA_INT, ADDRESS, JAVA_INT);
    private static final Downcall FSCONFIG = h("fsconfig", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final Downcall FSMOUNT = h("fsmount", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Downcall MOVE_MOUNT = h("move_mount", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Downcall MOUNT_SETATTR = h("mount_setattr", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final Downcall OPENAT = hv("openat", 3, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final Downcall CLOSE = h("close", JAVA_INT, JAVA_INT);
    private static final Downcall FSYNC = h("fsync", JAVA_INT, JAVA_INT);
    private static final Downcall SYNCFS = h("syncfs", JAVA_INT, JAVA_INT);
    private static final Downcall STATFS = h("statfs", JAVA_INT, ADDRESS, ADDRESS);
    private static final Downcall IOCTL_INT = hv("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final Downcall IOCTL_PTR = hv("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
    private static final Downcall COPY_FILE_RANGE = h("copy_file_range", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final Downcall LSEEK = h("lseek", JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);
    private static final Downcall FTRUNCATE = h("ftruncate", JAVA_INT, JAVA_INT, JAVA_LONG);
    private static final Downcall PREAD = h("pread", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final Downcall PWRITE = h("pwrite", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final Downcall FSTATAT = h("fstatat", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final Downcall FCHOWNAT = h("fchownat", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Downcall FCHOWN = h("fchown", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Downcall FCHMODAT = h("fchmodat", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final Downcall FCHMOD = h("fchmod", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Downcall SYSCALL4 = hv("syscall", 1, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final Downcall MKNODAT = h("mknodat", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG);
    private static final Downcall MKDIRAT = h("mkdirat", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Downcall SYMLINKAT = h("symlinkat", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
    private static final Downcall READLINKAT = h("readlinkat", JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
    private static final Downcall LINKAT = h("linkat", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Downcall UTIMENSAT = h("utimensat", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final Downcall FUTIMENS = h("futimens", JAVA_INT, JAVA_INT, ADDRESS);
    private static final Downcall LGETXATTR = h("lgetxattr", JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    private static final Downcall LSETXATTR = h("lsetxattr", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final Downcall LLISTXATTR = h("llistxattr", JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG);
    private static final Downcall LREMOVEXATTR = h("lremovexattr", JAVA_INT, ADDRESS, ADDRESS);
    // For RootDir: writes relative to directory descriptors resolved inside a root.
    private static final Downcall SYSCALL_OPENAT2 = hv("syscall", 1, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
    private static final Downcall UNLINKAT = h("unlinkat", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Downcall WRITE = h("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final Downcall READ = h("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final Downcall FSETXATTR = h("fsetxattr", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final Downcall GETDENTS64 = h("getdents64", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    // GNU strerror_r: returns a pointer to the message (maybe not to buf).
    private static final Downcall STRERROR_R = new Downcall(() -> LINKER.downcallHandle(
            find("strerror_r"), FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG)));

    private LibC() {}

    private static MemorySegment find(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static Downcall h(String name, MemoryLayout ret, MemoryLayout... args) {
        return new Downcall(() -> LINKER.downcallHandle(find(name), FunctionDescriptor.of(ret, args), ERRNO));
    }

    private static Downcall hv(String name, int firstVariadic, MemoryLayout ret, MemoryLayout... args) {
        return new Downcall(() -> LINKER.downcallHandle(find(name), FunctionDescriptor.of(ret, args), ERRNO,
                Linker.Option.firstVariadicArg(firstVariadic)));
    }

    /**
     * A downcall handle made on its first use. Linking one costs milliseconds on a cold JVM (a
     * stub class per signature), and a daemon that linked all of them before serving would answer
     * its first call a quarter of a second later; most processes use a handful. Calling through
     * a handle read from a field costs a few nanoseconds more than a constant one, against the
     * microsecond of the system call.
     */
    private static final class Downcall {
        private final java.util.function.Supplier<MethodHandle> link;
        private volatile MethodHandle handle;

        Downcall(java.util.function.Supplier<MethodHandle> link) {
            this.link = link;
        }

        MethodHandle get() {
            MethodHandle h = handle;
            if (h == null) {
                synchronized (this) {
                    h = handle;
                    if (h == null) {
                        h = link.get();
                        handle = h;
                    }
                }
            }
            return h;
        }
    }

    private static MemorySegment cs() {
        return Scratch.get().capture;
    }

    /** The errno of the last call made through this class on this thread. */
    static int errno() {
        return (int) ERRNO_VALUE.get(cs(), 0L);
    }

    static ErrnoException error(String operation, Object path) {
        return new ErrnoException(operation, path == null ? null : NativePath.display(path), errno());
    }

    static String strerror(int errno) {
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment buf = f.allocate(256);
            MemorySegment msg = (MemorySegment) STRERROR_R.get().invokeExact(errno, buf, 256L);
            return msg.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static RuntimeException fail(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    static int mount(MemorySegment source, MemorySegment target, MemorySegment type, long flags, MemorySegment data) {
        try {
            return (int) MOUNT.get().invokeExact(cs(), source, target, type, flags, data);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int umount2(MemorySegment target, int flags) {
        try {
            return (int) UMOUNT2.get().invokeExact(cs(), target, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int fsopen(MemorySegment fsname, int flags) {
        try {
            return (int) FSOPEN.get().invokeExact(cs(), fsname, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int fsconfig(int fd, int cmd, MemorySegment key, MemorySegment value, int aux) {
        try {
            return (int) FSCONFIG.get().invokeExact(cs(), fd, cmd, key, value, aux);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int fsmount(int fd, int flags, int attrFlags) {
        try {
            return (int) FSMOUNT.get().invokeExact(cs(), fd, flags, attrFlags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int moveMount(int fromDirfd, MemorySegment fromPath, int toDirfd, MemorySegment toPath, int flags) {
        try {
            return (int) MOVE_MOUNT.get().invokeExact(cs(), fromDirfd, fromPath, toDirfd, toPath, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int mountSetattr(int dirfd, MemorySegment path, int flags, MemorySegment attr, long size) {
        try {
            return (int) MOUNT_SETATTR.get().invokeExact(cs(), dirfd, path, flags, attr, size);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int openat(int dirfd, MemorySegment path, int flags, int mode) {
        try {
            return (int) OPENAT.get().invokeExact(cs(), dirfd, path, flags, mode);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int close(int fd) {
        try {
            return (int) CLOSE.get().invokeExact(cs(), fd);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int fsync(int fd) {
        try {
            return (int) FSYNC.get().invokeExact(cs(), fd);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int syncfs(int fd) {
        try {
            return (int) SYNCFS.get().invokeExact(cs(), fd);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int statfs(MemorySegment path, MemorySegment buf) {
        try {
            return (int) STATFS.get().invokeExact(cs(), path, buf);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int ioctl(int fd, long request, int arg) {
        try {
            return (int) IOCTL_INT.get().invokeExact(cs(), fd, request, arg);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int ioctl(int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL_PTR.get().invokeExact(cs(), fd, request, arg);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long copyFileRange(int fdIn, MemorySegment offIn, int fdOut, MemorySegment offOut, long len, int flags) {
        try {
            return (long) COPY_FILE_RANGE.get().invokeExact(cs(), fdIn, offIn, fdOut, offOut, len, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long lseek(int fd, long offset, int whence) {
        try {
            return (long) LSEEK.get().invokeExact(cs(), fd, offset, whence);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int ftruncate(int fd, long length) {
        try {
            return (int) FTRUNCATE.get().invokeExact(cs(), fd, length);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long pread(int fd, MemorySegment buf, long count, long offset) {
        try {
            return (long) PREAD.get().invokeExact(cs(), fd, buf, count, offset);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long pwrite(int fd, MemorySegment buf, long count, long offset) {
        try {
            return (long) PWRITE.get().invokeExact(cs(), fd, buf, count, offset);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int fstatat(int dirfd, MemorySegment path, MemorySegment statBuf, int flags) {
        try {
            return (int) FSTATAT.get().invokeExact(cs(), dirfd, path, statBuf, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int fchownat(int dirfd, MemorySegment path, int uid, int gid, int flags) {
        try {
            return (int) FCHOWNAT.get().invokeExact(cs(), dirfd, path, uid, gid, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int fchown(int fd, int uid, int gid) {
        try {
            return (int) FCHOWN.get().invokeExact(cs(), fd, uid, gid);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int fchmodat(int dirfd, MemorySegment path, int mode, int flags) {
        try {
            return (int) FCHMODAT.get().invokeExact(cs(), dirfd, path, mode, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    /** fchmodat2(2), kernel 6.6+, which honours AT_SYMLINK_NOFOLLOW without /proc. */
    static int fchmodat2(int dirfd, MemorySegment path, int mode, int flags) {
        try {
            return (int) (long) SYSCALL4.get().invokeExact(cs(), 452L, dirfd, path, mode, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int fchmod(int fd, int mode) {
        try {
            return (int) FCHMOD.get().invokeExact(cs(), fd, mode);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int mknodat(int dirfd, MemorySegment path, int mode, long dev) {
        try {
            return (int) MKNODAT.get().invokeExact(cs(), dirfd, path, mode, dev);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int mkdirat(int dirfd, MemorySegment path, int mode) {
        try {
            return (int) MKDIRAT.get().invokeExact(cs(), dirfd, path, mode);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int symlinkat(MemorySegment target, int newDirfd, MemorySegment linkPath) {
        try {
            return (int) SYMLINKAT.get().invokeExact(cs(), target, newDirfd, linkPath);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long readlinkat(int dirfd, MemorySegment path, MemorySegment buf, long size) {
        try {
            return (long) READLINKAT.get().invokeExact(cs(), dirfd, path, buf, size);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int linkat(int oldDirfd, MemorySegment oldPath, int newDirfd, MemorySegment newPath, int flags) {
        try {
            return (int) LINKAT.get().invokeExact(cs(), oldDirfd, oldPath, newDirfd, newPath, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int utimensat(int dirfd, MemorySegment path, MemorySegment times, int flags) {
        try {
            return (int) UTIMENSAT.get().invokeExact(cs(), dirfd, path, times, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int futimens(int fd, MemorySegment times) {
        try {
            return (int) FUTIMENS.get().invokeExact(cs(), fd, times);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long lgetxattr(MemorySegment path, MemorySegment name, MemorySegment value, long size) {
        try {
            return (long) LGETXATTR.get().invokeExact(cs(), path, name, value, size);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int lsetxattr(MemorySegment path, MemorySegment name, MemorySegment value, long size, int flags) {
        try {
            return (int) LSETXATTR.get().invokeExact(cs(), path, name, value, size, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long llistxattr(MemorySegment path, MemorySegment list, long size) {
        try {
            return (long) LLISTXATTR.get().invokeExact(cs(), path, list, size);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int lremovexattr(MemorySegment path, MemorySegment name) {
        try {
            return (int) LREMOVEXATTR.get().invokeExact(cs(), path, name);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long getdents64(int fd, MemorySegment buf, long size) {
        try {
            return (long) GETDENTS64.get().invokeExact(cs(), fd, buf, size);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static final int AT_REMOVEDIR = 0x200;
    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    static final long RESOLVE_IN_ROOT = 0x10;

    /** openat2(2) (kernel 5.6+); {@code how} is a {@code struct open_how} of {@code size} bytes. */
    static int openat2(int dirfd, MemorySegment path, MemorySegment how, long size) {
        try {
            return (int) (long) SYSCALL_OPENAT2.get().invokeExact(cs(), 437L, dirfd, path, how, size);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int unlinkat(int dirfd, MemorySegment path, int flags) {
        try {
            return (int) UNLINKAT.get().invokeExact(cs(), dirfd, path, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long write(int fd, MemorySegment buf, long count) {
        try {
            return (long) WRITE.get().invokeExact(cs(), fd, buf, count);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static long read(int fd, MemorySegment buf, long count) {
        try {
            return (long) READ.get().invokeExact(cs(), fd, buf, count);
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    static int fsetxattr(int fd, MemorySegment name, MemorySegment value, long size, int flags) {
        try {
            return (int) FSETXATTR.get().invokeExact(cs(), fd, name, value, size, flags);
        } catch (Throwable t) {
            throw fail(t);
        }
    }
}
