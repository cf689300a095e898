package io.strata.fs;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.strata.api.EpochNanos;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Instant;

/**
 * What lstat(2) reports about one file, unchanged: {@code mode} holds the file type bits and the
 * full permission bits (setuid, setgid, sticky included), {@code rdev} the device number as the C
 * library encodes it, {@code blocks} the allocated 512-byte blocks, and the three times in
 * nanoseconds since the epoch. Only x86_64 is supported; elsewhere reading a stat throws
 * {@link UnsupportedOperationException}.
 */
public record Stat(long dev, long ino, int mode, long nlink, int uid, int gid, long rdev, long size, long blksize,
        long blocks, long atimeNanos, long mtimeNanos, long ctimeNanos) {

    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;

    /** Size of {@code struct stat} on x86_64. */
    static final long SIZE = 144;
    private static final boolean AMD64 = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));

    /** Stats {@code path} without following a symbolic link at its end. */
    public static Stat lstat(Path path) throws ErrnoException {
        byte[] p = NativePath.bytes(path);
        try (Scratch.Frame f = Scratch.frame()) {
            return at(LibC.AT_FDCWD, f.cstr(p), LibC.AT_SYMLINK_NOFOLLOW, p);
        }
    }

    /** Stats {@code path}, following symbolic links. */
    public static Stat stat(Path path) throws ErrnoException {
        byte[] p = NativePath.bytes(path);
        try (Scratch.Frame f = Scratch.frame()) {
            return at(LibC.AT_FDCWD, f.cstr(p), 0, p);
        }
    }

    /** fstatat(2); {@code name} is a NUL-terminated native string. */
    static Stat at(int dirfd, MemorySegment name, int flags, Object pathForErrors) throws ErrnoException {
        requireAmd64();
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment buf = f.raw(SIZE);
            if (LibC.fstatat(dirfd, name, buf, flags) != 0) {
                throw LibC.error((flags & LibC.AT_SYMLINK_NOFOLLOW) != 0 ? "lstat" : "stat", pathForErrors);
            }
            return read(buf);
        }
    }

    static void requireAmd64() {
        if (!AMD64) {
            throw new UnsupportedOperationException(
                    "struct stat layout is only known for x86_64, not " + System.getProperty("os.arch"));
        }
    }

    static Stat read(MemorySegment b) {
        return new Stat(
                b.get(JAVA_LONG, 0),
                b.get(JAVA_LONG, 8),
                b.get(JAVA_INT, 24),
                b.get(JAVA_LONG, 16),
                b.get(JAVA_INT, 28),
                b.get(JAVA_INT, 32),
                b.get(JAVA_LONG, 40),
                b.get(JAVA_LONG, 48),
                b.get(JAVA_LONG, 56),
                b.get(JAVA_LONG, 64),
                b.get(JAVA_LONG, 72) * 1_000_000_000L + b.get(JAVA_LONG, 80),
                b.get(JAVA_LONG, 88) * 1_000_000_000L + b.get(JAVA_LONG, 96),
                b.get(JAVA_LONG, 104) * 1_000_000_000L + b.get(JAVA_LONG, 112));
    }

    /** The file type bits ({@code mode & S_IFMT}). */
    public int type() {
        return mode & S_IFMT;
    }

    /** Permission bits including setuid, setgid and sticky ({@code mode & 07777}). */
    public int permissions() {
        return mode & 07777;
    }

    public boolean isDirectory() {
        return type() == S_IFDIR;
    }

    public boolean isRegular() {
        return type() == S_IFREG;
    }

    public boolean isSymlink() {
        return type() == S_IFLNK;
    }

    public boolean isCharDevice() {
        return type() == S_IFCHR;
    }

    public boolean isBlockDevice() {
        return type() == S_IFBLK;
    }

    public boolean isFifo() {
        return type() == S_IFIFO;
    }

    public boolean isSocket() {
        return type() == S_IFSOCK;
    }

    /** Major number of {@link #rdev()}, decoded as glibc's {@code major()}. */
    public int rdevMajor() {
        return FileOps.major(rdev);
    }

    /** Minor number of {@link #rdev()}, decoded as glibc's {@code minor()}. */
    public int rdevMinor() {
        return FileOps.minor(rdev);
    }

    public Instant atime() {
        return EpochNanos.toInstant(atimeNanos);
    }

    public Instant mtime() {
        return EpochNanos.toInstant(mtimeNanos);
    }
}
