package io.strata.testkit;

import io.strata.fs.FileOps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Small file-system changes to apply to a tree, as containerd's {@code fstest} appliers: the
 * suite applies the same ops to a snapshot mount and to a plain directory and compares the two.
 * Paths are relative to the root they are applied to (a leading '/' is allowed).
 */
public final class Tree {
    private Tree() {
    }

    /** One change to a tree. */
    @FunctionalInterface
    public interface Op {
        void apply(Path root) throws IOException;
    }

    /** Applies {@code ops} in order. */
    public static void apply(Path root, Op... ops) throws IOException {
        for (Op op : ops) {
            op.apply(root);
        }
    }

    /** All of {@code ops} as one op. */
    public static Op all(Op... ops) {
        List<Op> list = List.of(ops);
        return root -> {
            for (Op op : list) {
                op.apply(root);
            }
        };
    }

    static Path at(Path root, String path) {
        String rel = path.startsWith("/") ? path.substring(1) : path;
        return rel.isEmpty() ? root : root.resolve(rel);
    }

    /** Creates or truncates a regular file with this content and exactly this mode. */
    public static Op file(String path, String content, int mode) {
        return file(path, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    public static Op file(String path, byte[] content, int mode) {
        return root -> {
            Path p = at(root, path);
            Files.write(p, content);
            FileOps.chmod(p, mode);
        };
    }

    /** Creates a directory with exactly this mode (an existing one just gets the mode). */
    public static Op dir(String path, int mode) {
        return root -> {
            Path p = at(root, path);
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(p);
            }
            FileOps.chmod(p, mode);
        };
    }

    /** Removes a file or a whole tree; absent is fine. */
    public static Op removeAll(String path) {
        return root -> deleteTree(at(root, path));
    }

    /** Changes owner without following symbolic links. */
    public static Op chown(String path, int uid, int gid) {
        return root -> FileOps.lchown(at(root, path), uid, gid);
    }

    /** Changes mode bits (including setuid, setgid, sticky). */
    public static Op chmod(String path, int mode) {
        return root -> FileOps.chmod(at(root, path), mode);
    }

    /** Makes {@code newPath} a hard link to {@code existing}. */
    public static Op link(String existing, String newPath) {
        return root -> Files.createLink(at(root, newPath), at(root, existing));
    }

    /** Makes a symbolic link at {@code link} whose target is {@code target}, verbatim. */
    public static Op symlink(String target, String link) {
        return root -> Files.createSymbolicLink(at(root, link), Path.of(target));
    }

    /**
     * Renames like {@code mv}: rename(2), and where the file system refuses with EXDEV (overlayfs
     * renaming a directory that comes from a lower layer, without redirect_dir) copy and delete.
     */
    public static Op rename(String from, String to) {
        return root -> {
            Path src = at(root, from);
            Path dst = at(root, to);
            try {
                Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                io.strata.fs.TreeCopier.copy(src, dst);
                deleteTree(src);
            } catch (FileSystemException e) {
                if (e.getReason() == null || !e.getReason().contains("cross-device")) {
                    throw e;
                }
                io.strata.fs.TreeCopier.copy(src, dst);
                deleteTree(src);
            }
        };
    }

    /** Deletes a tree without following links; absent is fine. */
    public static void deleteTree(Path p) throws IOException {
        io.strata.fs.FileOps.deleteTree(p);
    }
}
