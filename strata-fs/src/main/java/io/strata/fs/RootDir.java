package io.strata.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A directory tree that is written as if it were the whole file system: every path is resolved
 * inside the root, the way a process chrooted there would see it. Directories are looked up with
 * {@code openat2(RESOLVE_IN_ROOT)}, so {@code ..}, absolute symbolic links and links full of
 * {@code ..} all stay below the root; the last component of a path is never followed (files are
 * created with {@code O_EXCL|O_NOFOLLOW}, owners and times are set with {@code AT_SYMLINK_NOFOLLOW}).
 * Nothing done through this class can create, change or remove anything outside the root.
 *
 * <p>Paths are byte strings relative to the root, components separated by {@code /}; empty,
 * {@code .} and {@code ..} components are refused (callers clean paths first). Directory
 * descriptors of recently used parents are cached, and the cache is dropped whenever a directory
 * may have been removed, so a cached descriptor never names a deleted directory.
 *
 * <p>Not thread-safe: one thread writes one tree.
 */
public final class RootDir implements AutoCloseable {
    private static final int BUFFER = 1 << 20;

    private final Path root;
    private final int rootFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(BUFFER, 4096);
    private final DirCache dirs;
    private boolean closed;

    private RootDir(Path root, int rootFd) {
        this.root = root;
        this.rootFd = rootFd;
        this.dirs = new DirCache(rootFd);
    }

    /** Opens {@code root}, which must be an existing directory (a symbolic link to one is refused). */
    public static RootDir open(Path root) throws ErrnoException {
        Path abs = root.toAbsolutePath().normalize();
        int fd = Sys.open(NativePath.bytes(abs), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0);
        return new RootDir(abs, fd);
    }

    /** The root directory. */
    public Path path() {
        return root;
    }

    /** lstat of {@code rel}; empty when it, or a directory on the way to it, does not exist. */
    public Optional<Stat> lstat(byte[] rel) throws ErrnoException {
        if (rel.length == 0) {
            return Optional.of(statFd(rootFd, rel));
        }
        int slash = RelPaths.lastSlash(rel);
        int parent;
        try {
            parent = parentFd(rel, slash);
        } catch (ErrnoException e) {
            if (e.errno() == ErrnoException.ENOENT || e.errno() == ErrnoException.ENOTDIR) {
                return Optional.empty();
            }
            throw e;
        }
        try (Scratch.Frame f = Scratch.frame()) {
            return Optional.of(Stat.at(parent, RelPaths.base(f, rel, slash), LibC.AT_SYMLINK_NOFOLLOW, RelPaths.display(rel)));
        } catch (ErrnoException e) {
            if (e.errno() == ErrnoException.ENOENT || e.errno() == ErrnoException.ENOTDIR) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Whether {@code rel} is a directory, following symbolic links inside the root (as a
     * chrooted process would). False when it does not exist; ENOTDIR when something on the way,
     * or {@code rel} itself, is not a directory.
     */
    public boolean isDirectory(byte[] rel) throws ErrnoException {
        if (rel.length == 0) {
            return true;
        }
        try {
            dirFd(rel);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == ErrnoException.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /** Creates directory {@code rel} with exactly the permission bits {@code mode & 07777}. */
    public void mkdir(byte[] rel, int mode) throws ErrnoException {
        int slash = RelPaths.lastSlash(rel);
        int parent = parentFd(rel, slash);
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment name = RelPaths.base(f, rel, slash);
            if (LibC.mkdirat(parent, name, 0700) != 0) {
                throw LibC.error("mkdir", RelPaths.display(rel));
            }
            chmodAt(parent, name, mode, rel);
        }
    }

    /**
     * Creates regular file {@code rel}, which must not exist, open for writing. Its permission
     * bits start as 0600; the caller sets owner, then mode, on the returned file.
     */
    public OutputFile create(byte[] rel) throws ErrnoException {
        int slash = RelPaths.lastSlash(rel);
        int parent = parentFd(rel, slash);
        try (Scratch.Frame f = Scratch.frame()) {
            int fd = LibC.openat(parent, RelPaths.base(f, rel, slash),
                    LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0600);
            if (fd < 0) {
                throw LibC.error("create", RelPaths.display(rel));
            }
            return new OutputFile(buffer, fd, rel);
        }
    }

    /** Creates symbolic link {@code rel} holding {@code target}, which is stored, never followed. */
    public void symlink(byte[] target, byte[] rel) throws ErrnoException {
        int slash = RelPaths.lastSlash(rel);
        int parent = parentFd(rel, slash);
        try (Scratch.Frame f = Scratch.frame()) {
            if (LibC.symlinkat(f.cstr(target), parent, RelPaths.base(f, rel, slash)) != 0) {
                throw LibC.error("symlink", RelPaths.display(rel));
            }
        }
    }

    /** Makes {@code rel} a hard link to {@code existing} (itself, if it is a symbolic link). */
    public void link(byte[] existing, byte[] rel) throws ErrnoException {
        int oldSlash = RelPaths.lastSlash(existing);
        int oldParent = parentFd(existing, oldSlash);
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment oldName = RelPaths.base(f, existing, oldSlash);
            int slash = RelPaths.lastSlash(rel);
            int parent = parentFd(rel, slash);
            if (LibC.linkat(oldParent, oldName, parent, RelPaths.base(f, rel, slash), 0) != 0) {
                throw LibC.error("link", RelPaths.display(rel) + " -> " + RelPaths.display(existing));
            }
        }
    }

    /**
     * Creates a device node, fifo or socket: {@code mode} carries the type bits and the permission
     * bits, which are applied exactly.
     */
    public void mknod(byte[] rel, int mode, int major, int minor) throws ErrnoException {
        int slash = RelPaths.lastSlash(rel);
        int parent = parentFd(rel, slash);
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment name = RelPaths.base(f, rel, slash);
            if (LibC.mknodat(parent, name, (mode & Stat.S_IFMT) | 0600, FileOps.makedev(major, minor)) != 0) {
                throw LibC.error("mknod", RelPaths.display(rel));
            }
            chmodAt(parent, name, mode, rel);
        }
    }

    /** Changes owner and group of {@code rel} itself. */
    public void lchown(byte[] rel, int uid, int gid) throws ErrnoException {
        int slash = RelPaths.lastSlash(rel);
        int parent = rel.length == 0 ? rootFd : parentFd(rel, slash);
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment name = rel.length == 0 ? f.cstr(new byte[0]) : RelPaths.base(f, rel, slash);
            int flags = LibC.AT_SYMLINK_NOFOLLOW | (rel.length == 0 ? LibC.AT_EMPTY_PATH : 0);
            if (LibC.fchownat(parent, name, uid, gid, flags) != 0) {
                throw LibC.error("lchown", RelPaths.display(rel));
            }
        }
    }

    /** Sets the twelve permission bits of {@code rel}; refuses (EOPNOTSUPP) a symbolic link. */
    public void chmod(byte[] rel, int mode) throws ErrnoException {
        if (rel.length == 0) {
            if (LibC.fchmod(rootFd, mode & 07777) != 0) {
                throw LibC.error("chmod", root);
            }
            return;
        }
        int slash = RelPaths.lastSlash(rel);
        int parent = parentFd(rel, slash);
        try (Scratch.Frame f = Scratch.frame()) {
            chmodAt(parent, RelPaths.base(f, rel, slash), mode, rel);
        }
    }

    /** Sets access and modification times of {@code rel} itself, in nanoseconds since the epoch. */
    public void setTimes(byte[] rel, long atimeNanos, long mtimeNanos) throws ErrnoException {
        int slash = RelPaths.lastSlash(rel);
        int parent = rel.length == 0 ? rootFd : parentFd(rel, slash);
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment name = rel.length == 0 ? f.cstr(new byte[0]) : RelPaths.base(f, rel, slash);
            int flags = LibC.AT_SYMLINK_NOFOLLOW | (rel.length == 0 ? LibC.AT_EMPTY_PATH : 0);
            if (LibC.utimensat(parent, name, Sys.timespecs(f, atimeNanos, mtimeNanos), flags) != 0) {
                throw LibC.error("utimensat", RelPaths.display(rel));
            }
        }
    }

    /** Sets extended attribute {@code name} on {@code rel} itself (a symbolic link is not followed). */
    public void setXattr(byte[] rel, String name, byte[] value) throws ErrnoException {
        // The parent is held open inside the root; the kernel resolves /proc/self/fd/N to it, and
        // lsetxattr does not follow the last component.
        try {
            Sys.setXattr(procPath(rel), name, value);
        } catch (ErrnoException e) {
            throw new ErrnoException("setxattr " + name, RelPaths.display(rel), e.errno());
        }
    }

    /** Removes file, link, node or empty directory {@code rel}. */
    public void remove(byte[] rel) throws ErrnoException {
        int slash = RelPaths.lastSlash(rel);
        int parent = parentFd(rel, slash);
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment name = RelPaths.base(f, rel, slash);
            if (LibC.unlinkat(parent, name, 0) != 0) {
                int errno = LibC.errno();
                if (errno != ErrnoException.EISDIR) {
                    throw new ErrnoException("unlink", RelPaths.display(rel), errno);
                }
                if (LibC.unlinkat(parent, name, LibC.AT_REMOVEDIR) != 0) {
                    throw LibC.error("rmdir", RelPaths.display(rel));
                }
                dirs.drop();
            }
        }
    }

    /** Removes {@code rel} and, if it is a directory, everything under it; absent is not an error. */
    public void removeAll(byte[] rel) throws ErrnoException {
        if (rel.length == 0) {
            throw new IllegalArgumentException("refusing to remove the root");
        }
        // Directories below rel are going away: forget their descriptors before resolving anew.
        dirs.drop();
        int slash = RelPaths.lastSlash(rel);
        int parent;
        try {
            parent = parentFd(rel, slash);
        } catch (ErrnoException e) {
            if (e.errno() == ErrnoException.ENOENT || e.errno() == ErrnoException.ENOTDIR) {
                return;
            }
            throw e;
        }
        try (Scratch.Frame f = Scratch.frame()) {
            removeTree(parent, RelPaths.base(f, rel, slash), rel);
        } catch (ErrnoException e) {
            throw e;
        } catch (IOException e) {
            throw new ErrnoException("remove", RelPaths.display(rel), ErrnoException.EIO);
        }
    }

    /** Names of the entries of directory {@code rel}, without "." and "..". */
    public List<byte[]> list(byte[] rel) throws ErrnoException {
        int fd = rel.length == 0 ? rootFd : dirFd(rel);
        try {
            return names(fd, rel);
        } catch (ErrnoException e) {
            throw e;
        } catch (IOException e) {
            throw new ErrnoException("getdents64", RelPaths.display(rel), ErrnoException.EIO);
        }
    }

    /** The target stored in symbolic link {@code rel}. */
    public byte[] readlink(byte[] rel) throws ErrnoException {
        int slash = RelPaths.lastSlash(rel);
        int parent = parentFd(rel, slash);
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment buf = f.raw(4097, 1);
            long n = LibC.readlinkat(parent, RelPaths.base(f, rel, slash), buf, 4097);
            if (n < 0) {
                throw LibC.error("readlink", RelPaths.display(rel));
            }
            if (n > 4096) {
                throw new ErrnoException("readlink", RelPaths.display(rel), ErrnoException.ENAMETOOLONG);
            }
            return buf.asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    /**
     * The extended attributes of {@code rel} itself, by name in the order the file system lists
     * them; empty where the file system has none or does not support them.
     */
    public Map<String, byte[]> xattrs(byte[] rel) throws ErrnoException {
        byte[] path = procPath(rel);
        List<String> names;
        try {
            names = Sys.listXattrs(path);
        } catch (ErrnoException e) {
            if (e.errno() == ErrnoException.EOPNOTSUPP) {
                return Map.of();
            }
            throw new ErrnoException("llistxattr", RelPaths.display(rel), e.errno());
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String name : names) {
            try {
                out.put(name, Sys.getXattr(path, name));
            } catch (ErrnoException e) {
                if (e.errno() != ErrnoException.ENODATA) {
                    throw new ErrnoException("lgetxattr " + name, RelPaths.display(rel), e.errno());
                }
            }
        }
        return out;
    }

    /** Opens regular file {@code rel} for reading; a symbolic link is refused (ELOOP). */
    public InputFile openRead(byte[] rel) throws ErrnoException {
        int slash = RelPaths.lastSlash(rel);
        int parent = parentFd(rel, slash);
        try (Scratch.Frame f = Scratch.frame()) {
            int fd = LibC.openat(parent, RelPaths.base(f, rel, slash), LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
            if (fd < 0) {
                throw LibC.error("open", RelPaths.display(rel));
            }
            return new InputFile(buffer, fd, rel);
        }
    }

    /** Flushes the whole file system holding the root to disk (syncfs). */
    public void syncfs() throws ErrnoException {
        if (LibC.syncfs(rootFd) != 0) {
            throw LibC.error("syncfs", root);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        dirs.drop();
        Sys.closeQuietly(rootFd);
        arena.close();
    }

    private void removeTree(int parent, MemorySegment name, byte[] rel) throws IOException {
        if (LibC.unlinkat(parent, name, 0) == 0) {
            return;
        }
        int errno = LibC.errno();
        if (errno == ErrnoException.ENOENT) {
            return;
        }
        if (errno != ErrnoException.EISDIR) {
            throw new ErrnoException("unlink", RelPaths.display(rel), errno);
        }
        int fd = LibC.openat(parent, name, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            throw LibC.error("open", RelPaths.display(rel));
        }
        try {
            for (byte[] child : names(fd, rel)) {
                try (Scratch.Frame f = Scratch.frame()) {
                    removeTree(fd, f.cstr(child), NativePath.child(rel, child));
                }
            }
        } finally {
            Sys.closeQuietly(fd);
        }
        if (LibC.unlinkat(parent, name, LibC.AT_REMOVEDIR) != 0) {
            throw LibC.error("rmdir", RelPaths.display(rel));
        }
    }

    private static List<byte[]> names(int fd, byte[] rel) throws IOException {
        List<byte[]> names = new ArrayList<>();
        DirReader.read(fd, RelPaths.display(rel), (name, len, dtype) -> names.add(DirReader.nameBytes(name, len)));
        // getdents64 continues from the descriptor's offset: rewind so a later listing sees all.
        LibC.lseek(fd, 0, 0);
        return names;
    }

    /** {@code /proc/self/fd/<parent>/<name>}: the kernel resolves the held parent, not a path. */
    private byte[] procPath(byte[] rel) throws ErrnoException {
        int slash = RelPaths.lastSlash(rel);
        int parent = rel.length == 0 ? rootFd : parentFd(rel, slash);
        byte[] prefix = ("/proc/self/fd/" + parent).getBytes(StandardCharsets.US_ASCII);
        return rel.length == 0 ? prefix : NativePath.child(prefix, java.util.Arrays.copyOfRange(rel, slash + 1, rel.length));
    }

    private void chmodAt(int parent, MemorySegment name, int mode, byte[] rel) throws ErrnoException {
        int r = LibC.fchmodat2(parent, name, mode & 07777, LibC.AT_SYMLINK_NOFOLLOW);
        if (r != 0 && LibC.errno() == ErrnoException.ENOSYS) {
            r = LibC.fchmodat(parent, name, mode & 07777, LibC.AT_SYMLINK_NOFOLLOW);
        }
        if (r != 0) {
            throw LibC.error("chmod", RelPaths.display(rel));
        }
    }

    private Stat statFd(int fd, byte[] rel) throws ErrnoException {
        try (Scratch.Frame f = Scratch.frame()) {
            return Stat.at(fd, f.cstr(new byte[0]), LibC.AT_EMPTY_PATH | LibC.AT_SYMLINK_NOFOLLOW, RelPaths.display(rel));
        }
    }

    private int parentFd(byte[] rel, int slash) throws ErrnoException {
        ensureOpen();
        return dirs.parentOf(rel, slash);
    }

    private int dirFd(byte[] rel) throws ErrnoException {
        ensureOpen();
        return dirs.fd(rel);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("root " + root + " is closed");
        }
    }
}
