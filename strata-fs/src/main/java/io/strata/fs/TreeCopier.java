package io.strata.fs;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies a directory tree like continuity's {@code fs.CopyDir}, which containerd's native
 * snapshotter uses to start a snapshot from its parent. Guarantees for every entry: owner and
 * group (lchown), all mode bits including setuid/setgid/sticky, every readable extended attribute
 * (user., trusted., security., ...), access and modification times with nanoseconds, symbolic
 * link targets byte for byte, device numbers of character and block devices; fifos and sockets
 * are recreated; regular files with several links in the source are hard links to each other in
 * the copy; regular file data is reflinked where the file system can, else copied with holes kept.
 * Directory times are set after their contents are written, so they survive. {@code dst} may
 * already exist as a directory (its metadata becomes the source root's). The walk is iterative
 * and keeps no directory open while descending. Mount points inside {@code src} are copied into,
 * and entries are not synced: call {@link FileOps#syncfs} afterwards for durability.
 * The source must not change during the copy.
 */
public final class TreeCopier {
    private final Map<InodeKey, byte[]> firstCopies = new HashMap<>();

    private record InodeKey(long dev, long ino) {}

    private record Child(byte[] name, Stat st) {}

    private static final class Dir {
        final byte[] src;
        final byte[] dst;
        final Stat st;
        final List<Child> children = new ArrayList<>();
        int next;

        Dir(byte[] src, byte[] dst, Stat st) {
            this.src = src;
            this.dst = dst;
            this.st = st;
        }
    }

    private TreeCopier() {}

    /** Copies the contents and metadata of directory {@code src} (followed if a link) into {@code dst}. */
    public static void copy(Path src, Path dst) throws IOException {
        Path from = Stat.lstat(src).isSymlink() ? src.toRealPath() : src;
        Stat st = Stat.lstat(from);
        if (!st.isDirectory()) {
            throw new NotDirectoryException(src.toString());
        }
        new TreeCopier().run(NativePath.bytes(from), NativePath.bytes(dst), st);
    }

    private void run(byte[] src, byte[] dst, Stat st) throws IOException {
        ArrayDeque<Dir> stack = new ArrayDeque<>();
        stack.push(enter(src, dst, st));
        while (!stack.isEmpty()) {
            Dir top = stack.peek();
            if (top.next < top.children.size()) {
                Child c = top.children.set(top.next++, null);
                Dir sub = copyEntry(top, c);
                if (sub != null) {
                    stack.push(sub);
                }
            } else {
                Sys.setTimes(top.dst, top.st.atimeNanos(), top.st.mtimeNanos());
                stack.pop();
            }
        }
    }

    /** Creates (or reuses) the destination directory, copies its metadata but the times, lists the source. */
    private Dir enter(byte[] src, byte[] dst, Stat st) throws IOException {
        try {
            Sys.mkdir(dst, st.permissions());
        } catch (ErrnoException e) {
            if (e.errno() != ErrnoException.EEXIST) {
                throw e;
            }
            if (!Stat.stat(Path.of(NativePath.display(dst))).isDirectory()) {
                throw new IOException("cannot copy to non-directory: " + NativePath.display(dst));
            }
        }
        lchown(dst, st);
        Sys.chmod(dst, st.permissions());
        Sys.copyXattrs(src, dst);
        Dir dir = new Dir(src, dst, st);
        int fd = Sys.open(src, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0);
        try {
            DirReader.read(fd, src, (name, len, dtype) -> {
                Stat cst = DirReader.lstatEntry(fd, src, name, len);
                dir.children.add(new Child(DirReader.nameBytes(name, len), cst));
            });
        } finally {
            Sys.closeQuietly(fd);
        }
        return dir;
    }

    private Dir copyEntry(Dir parent, Child c) throws IOException {
        byte[] src = NativePath.child(parent.src, c.name());
        byte[] dst = NativePath.child(parent.dst, c.name());
        Stat st = c.st();
        switch (st.type()) {
            case Stat.S_IFDIR -> {
                return enter(src, dst, st);
            }
            case Stat.S_IFREG -> {
                copyRegular(src, dst, st);
                return null;
            }
            case Stat.S_IFLNK -> Sys.copySymlink(src, dst);
            case Stat.S_IFCHR, Stat.S_IFBLK -> Sys.mknod(dst, st.mode(), st.rdev());
            case Stat.S_IFIFO, Stat.S_IFSOCK -> Sys.mknod(dst, st.mode(), 0);
            default -> {
                return null; // unknown type: skipped, as continuity does
            }
        }
        lchown(dst, st);
        if (!st.isSymlink()) {
            Sys.chmod(dst, st.permissions());
        }
        Sys.setTimes(dst, st.atimeNanos(), st.mtimeNanos());
        Sys.copyXattrs(src, dst);
        return null;
    }

    private void copyRegular(byte[] src, byte[] dst, Stat st) throws IOException {
        InodeKey key = null;
        if (st.nlink() > 1) {
            key = new InodeKey(st.dev(), st.ino());
            byte[] first = firstCopies.get(key);
            if (first != null) {
                Sys.link(first, dst);
                return;
            }
        }
        int sfd = Sys.open(src, LibC.O_RDONLY | LibC.O_NOFOLLOW, 0);
        int dfd = -1;
        try {
            dfd = Sys.open(dst, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC | LibC.O_NOFOLLOW, 0600);
            FileClone.copy(sfd, dfd, st.size(), src, dst);
            if (LibC.fchown(dfd, st.uid(), st.gid()) != 0) {
                ErrnoException e = LibC.error("lchown", dst);
                if (!sameOwner(e, dst, st)) {
                    throw e;
                }
            }
            if (LibC.fchmod(dfd, st.permissions()) != 0) {
                throw LibC.error("chmod", dst);
            }
            try (Scratch.Frame f = Scratch.frame()) {
                if (LibC.futimens(dfd, Sys.timespecs(f, st.atimeNanos(), st.mtimeNanos())) != 0) {
                    throw LibC.error("utimensat", dst);
                }
            }
        } finally {
            Sys.closeQuietly(dfd);
            Sys.closeQuietly(sfd);
        }
        Sys.copyXattrs(src, dst);
        if (key != null) {
            firstCopies.put(key, dst);
        }
    }

    private static void lchown(byte[] dst, Stat st) throws ErrnoException {
        try {
            Sys.lchown(dst, st.uid(), st.gid());
        } catch (ErrnoException e) {
            if (!sameOwner(e, dst, st)) {
                throw e;
            }
        }
    }

    /** Some file systems (NFS) refuse even a no-op chown; that is fine when the owner already matches. */
    private static boolean sameOwner(ErrnoException e, byte[] dst, Stat want) {
        if (e.errno() != ErrnoException.EPERM) {
            return false;
        }
        try (Scratch.Frame f = Scratch.frame()) {
            MemorySegment p = f.cstr(dst);
            Stat have = Stat.at(LibC.AT_FDCWD, p, LibC.AT_SYMLINK_NOFOLLOW, dst);
            return have.uid() == want.uid() && have.gid() == want.gid();
        } catch (ErrnoException ignored) {
            return false;
        }
    }
}
