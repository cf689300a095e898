package io.strata.fs;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Single-file syscalls Java's {@code Files} cannot express: owners and the full mode bits without
 * following symbolic links, device nodes, nanosecond times, binary extended attributes, fsync of
 * directories, syncfs, and reflink-first copying. Every method acts on the path itself, never on
 * what a symbolic link at the end of it points to (except {@link #fsync}, {@link #syncfs} and
 * {@link #cloneOrCopy}, which open the path). Failures are {@link ErrnoException}s naming the call and the path.
 */
public final class FileOps {
    private FileOps() {}

    /** lchown(2): changes owner and group of the path itself. */
    public static void lchown(Path path, int uid, int gid) throws ErrnoException {
        Sys.lchown(NativePath.bytes(path), uid, gid);
    }

    /**
     * Sets all twelve permission bits ({@code mode & 07777}, setuid/setgid/sticky included). A
     * symbolic link is not followed; changing one fails with EOPNOTSUPP.
     */
    public static void chmod(Path path, int mode) throws ErrnoException {
        Sys.chmodNoFollow(NativePath.bytes(path), mode);
    }

    /**
     * Creates a node: {@code mode} carries the type ({@link Stat#S_IFCHR}, {@link Stat#S_IFBLK},
     * {@link Stat#S_IFIFO}, {@link Stat#S_IFSOCK}, {@link Stat#S_IFREG}) and the permission bits,
     * which are applied exactly (the umask does not apply). {@code major}/{@code minor} matter
     * only for devices.
     */
    public static void mknod(Path path, int mode, int major, int minor) throws ErrnoException {
        byte[] p = NativePath.bytes(path);
        Sys.mknod(p, mode, makedev(major, minor));
        Sys.chmod(p, mode);
    }

    /** Creates a named pipe with exactly these permission bits. */
    public static void mkfifo(Path path, int permissions) throws ErrnoException {
        mknod(path, Stat.S_IFIFO | (permissions & 07777), 0, 0);
    }

    /** The device number glibc's {@code makedev(major, minor)} returns. */
    public static long makedev(int major, int minor) {
        long ma = Integer.toUnsignedLong(major);
        long mi = Integer.toUnsignedLong(minor);
        return ((ma & 0x00000fffL) << 8) | ((ma & 0xfffff000L) << 32) | (mi & 0x000000ffL) | ((mi & 0xffffff00L) << 12);
    }

    /** glibc's {@code major(dev)}. */
    public static int major(long dev) {
        return (int) (((dev >>> 8) & 0xfffL) | ((dev >>> 32) & 0xfffff000L));
    }

    /** glibc's {@code minor(dev)}. */
    public static int minor(long dev) {
        return (int) ((dev & 0xffL) | ((dev >>> 12) & 0xffffff00L));
    }

    /** Sets access and modification times, in nanoseconds since the epoch, of the path itself. */
    public static void setTimes(Path path, long atimeNanos, long mtimeNanos) throws ErrnoException {
        Sys.setTimes(NativePath.bytes(path), atimeNanos, mtimeNanos);
    }

    /** Names of the extended attributes of the path itself (all namespaces the kernel lists). */
    public static List<String> listXattrs(Path path) throws ErrnoException {
        return Sys.listXattrs(NativePath.bytes(path));
    }

    /** The value of one extended attribute; ENODATA if it is not set. */
    public static byte[] getXattr(Path path, String name) throws ErrnoException {
        return Sys.getXattr(NativePath.bytes(path), name);
    }

    /** Creates or replaces one extended attribute. */
    public static void setXattr(Path path, String name, byte[] value) throws ErrnoException {
        Sys.setXattr(NativePath.bytes(path), name, value);
    }

    /** Removes one extended attribute; ENODATA if it is not set. */
    public static void removeXattr(Path path, String name) throws ErrnoException {
        Sys.removeXattr(NativePath.bytes(path), name);
    }

    /** fsync(2) of a file or a directory (a directory is opened read-only, as it must be). */
    public static void fsync(Path path) throws ErrnoException {
        byte[] p = NativePath.bytes(path);
        int fd = Sys.open(p, LibC.O_RDONLY | LibC.O_NONBLOCK, 0);
        try {
            if (LibC.fsync(fd) != 0) {
                throw LibC.error("fsync", p);
            }
        } finally {
            Sys.closeQuietly(fd);
        }
    }

    /**
     * truncate(2) of a regular file to {@code length} bytes: growing leaves a hole (the file stays
     * sparse), shrinking drops the tail. EFBIG when the file system does not hold files that long.
     */
    public static void truncate(Path path, long length) throws ErrnoException {
        byte[] p = NativePath.bytes(path);
        int fd = Sys.open(p, LibC.O_WRONLY, 0);
        try {
            if (LibC.ftruncate(fd, length) != 0) {
                throw LibC.error("ftruncate to " + length + " bytes", p);
            }
        } finally {
            Sys.closeQuietly(fd);
        }
    }

    /** syncfs(2): flushes the whole file system that contains {@code path}. */
    public static void syncfs(Path path) throws ErrnoException {
        byte[] p = NativePath.bytes(path);
        int fd = Sys.open(p, LibC.O_RDONLY | LibC.O_NONBLOCK, 0);
        try {
            if (LibC.syncfs(fd) != 0) {
                throw LibC.error("syncfs", p);
            }
        } finally {
            Sys.closeQuietly(fd);
        }
    }

    /**
     * Copies the contents of regular file {@code src} to {@code dst} (created with mode 0644 if
     * absent, truncated if present): FICLONE first; where the file system cannot clone (EOPNOTSUPP,
     * EXDEV, EINVAL, ENOTTY) copy_file_range over the data regions, so holes stay holes; where that
     * cannot work either (EXDEV, EOPNOTSUPP, EINVAL, ENOSYS) pread/pwrite. Only the bytes are
     * copied, not owner, mode, times or xattrs. Neither end is synced.
     *
     * @return the way the bytes were copied
     */
    public static CopyMethod cloneOrCopy(Path src, Path dst) throws IOException {
        byte[] s = NativePath.bytes(src);
        byte[] d = NativePath.bytes(dst);
        int sfd = Sys.open(s, LibC.O_RDONLY, 0);
        int dfd = -1;
        try {
            long size;
            try (Scratch.Frame f = Scratch.frame()) {
                Stat st = Stat.at(sfd, f.cstr(new byte[0]), LibC.AT_EMPTY_PATH, s);
                if (!st.isRegular()) {
                    throw new IOException("not a regular file: " + src);
                }
                size = st.size();
            }
            dfd = Sys.open(d, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC, 0644);
            return FileClone.copy(sfd, dfd, size, s, d);
        } finally {
            Sys.closeQuietly(dfd);
            Sys.closeQuietly(sfd);
        }
    }

    /**
     * Deletes a tree without following symbolic links. Entries that vanish while it runs (another
     * remover, a cleanup) are skipped; any other failure stops it and is thrown.
     */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null && !(exc instanceof NoSuchFileException)) {
                    throw exc;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
