package io.strata.archive;

import io.strata.api.InvalidArgumentException;
import io.strata.codec.tar.EntryType;
import io.strata.codec.tar.Latin1;
import io.strata.codec.tar.SparseRegion;
import io.strata.codec.tar.TarEntry;
import io.strata.codec.tar.TarReader;
import io.strata.fs.CrashPoint;
import io.strata.fs.ErrnoException;
import io.strata.fs.OutputFile;
import io.strata.fs.RootDir;
import io.strata.fs.Stat;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies the entries of one tar stream to a tree, with containerd's semantics (archive/tar.go
 * applyNaive): implicit parent directories, an entry replacing whatever is in its way except a
 * directory merging into a directory, hard links to entries already in the tree, owner before
 * mode (chown clears setuid), xattrs, devices and fifos, directory times restored after all their
 * children. Every path goes through {@link RootDir}, so nothing outside the tree is reachable.
 */
final class LayerApplier {
    private static final System.Logger LOG = System.getLogger(LayerApplier.class.getName());
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final int BUFFER = 256 * 1024;

    private final RootDir root;
    private final Whiteouts whiteouts;
    private final List<RootDir> parents;
    private final boolean allowDevices;
    private final byte[] buffer = new byte[BUFFER];
    /** Directories known to exist (as resolved in the root); dropped whenever something is removed. */
    private final Set<String> knownDirs = new HashSet<>();
    /** Paths this layer created: an opaque marker on a copying backend keeps these. */
    private final Set<String> unpacked = new HashSet<>();
    private final List<TarEntry> dirs = new ArrayList<>();
    /** Directories made because entries needed them, in the order made; see {@link #implicitDirs}. */
    private final Set<String> implicitDirs = new LinkedHashSet<>();
    private long entries;
    private long tarNanos;

    LayerApplier(RootDir root, Whiteouts whiteouts, List<RootDir> parents, boolean allowDevices) {
        this.root = root;
        this.whiteouts = whiteouts;
        this.parents = parents;
        this.allowDevices = allowDevices;
    }

    /** Applies every entry of {@code tar}; returns the number of entries. */
    long apply(TarReader tar) throws IOException {
        Optional<TarEntry> next;
        while ((next = nextEntry(tar)).isPresent()) {
            entries++;
            try {
                apply(next.get(), tar);
            } catch (ErrnoException ex) {
                throw refusal(next.get(), ex);
            }
        }
        for (TarEntry dir : dirs) {
            try {
                setTimes(bytes(dir.name()), dir);
            } catch (ErrnoException e) {
                if (e.errno() != ErrnoException.ENOENT) {
                    throw e;
                }
            }
        }
        return entries;
    }

    private Optional<TarEntry> nextEntry(TarReader tar) throws IOException {
        long t = System.nanoTime();
        try {
            return tar.next();
        } finally {
            tarNanos += System.nanoTime() - t;
        }
    }

    /** Nanoseconds spent in the tar reader (parsing, and waiting for its bytes). */
    long tarNanos() {
        return tarNanos;
    }

    /**
     * The directories the layer needed but had no entry for, as made (mode 0755, or the metadata
     * the parent trees gave): a layer applied without its parent trees gets their metadata later.
     */
    List<String> implicitDirs() {
        return List.copyOf(implicitDirs);
    }

    /**
     * Failures that only a malformed layer causes are the layer's fault, not ours: say so as an
     * invalid layer (a name longer than the file system takes, a symlink loop on the way, a hard
     * link to a directory). Anything else stays what it is.
     */
    private static ErrnoException refusal(TarEntry e, ErrnoException ex) {
        String why = switch (ex.errno()) {
            case ErrnoException.ENAMETOOLONG -> "a name in it is too long for the file system";
            case ErrnoException.ELOOP -> "too many levels of symbolic links on its path";
            case ErrnoException.EPERM -> e.type() == EntryType.HARDLINK
                    ? "it is a hard link to " + Names.quote(e.linkName()) + ", which cannot be linked (a directory?)" : null;
            case ErrnoException.EMLINK -> "its target has too many links";
            default -> null;
        };
        if (why == null) {
            return ex;
        }
        throw new InvalidArgumentException("invalid layer: entry " + e.displayName() + ": " + why + " (" + ex.getMessage() + ")", ex);
    }

    private void apply(TarEntry e, TarReader tar) throws IOException {
        String rel = Names.clean(e.name(), "entry");
        if (rel.isEmpty()) {
            return; // the root itself ("./"): containerd leaves the root's metadata alone
        }
        String parent = Names.parent(rel);
        String base = Names.base(rel);
        if (base.startsWith(WHITEOUT)) {
            ensureDirectory(parent);
            whiteout(parent, base, e);
            return;
        }
        ensureDirectory(parent);
        TarEntry entry = e.withName(rel);
        byte[] path = bytes(rel);
        switch (entry.type()) {
            case REGULAR -> writeFile(path, entry, tar);
            case DIRECTORY -> {
                makeDirectory(path, entry);
                implicitDirs.remove(rel);
            }
            case SYMLINK -> {
                // As Docker: a relative target that climbs above the root is an escape attempt;
                // absolute targets mean the container's own root and are kept.
                if (Names.climbsOut(parent, entry.linkName())) {
                    throw new InvalidArgumentException("invalid layer: symlink " + e.displayName() + " -> "
                            + Latin1.display(entry.linkName()) + " leads outside the root");
                }
                replaceIfExists(path, () -> root.symlink(bytes(entry.linkName()), path));
                finish(path, entry, false);
            }
            case HARDLINK -> link(path, entry);
            case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> makeNode(path, entry);
        }
        if (whiteouts == Whiteouts.DELETE) {
            unpacked.add(rel);
        }
    }

    private void writeFile(byte[] path, TarEntry e, TarReader tar) throws IOException {
        OutputFile f = create(path);
        try {
            if (e.sparse().isEmpty()) {
                copy(tar, f, e.size(), e);
            } else {
                for (SparseRegion r : e.sparse()) {
                    f.seek(r.offset());
                    copy(tar, f, r.length(), e);
                }
                f.truncate(e.size());
            }
            f.chown(e.uid(), e.gid());
            for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
                if (acceptXattr(x.getKey(), e)) {
                    try {
                        f.setXattr(x.getKey(), x.getValue());
                    } catch (ErrnoException ex) {
                        tolerateXattrFailure(ex, x.getKey(), e, true);
                    }
                }
            }
            f.chmod(e.mode());
            f.setTimes(atimeNanos(e), nanos(e.mtime()));
        } finally {
            f.close();
        }
    }

    private OutputFile create(byte[] path) throws ErrnoException {
        try {
            return root.create(path);
        } catch (ErrnoException ex) {
            if (ex.errno() != ErrnoException.EEXIST) {
                throw ex;
            }
            removeAll(path);
            return root.create(path);
        }
    }

    private void copy(TarReader tar, OutputFile f, long n, TarEntry e) throws IOException {
        while (n > 0) {
            long t = System.nanoTime();
            int r = tar.read(buffer, 0, (int) Math.min(buffer.length, n));
            tarNanos += System.nanoTime() - t;
            if (r < 0) {
                throw new InvalidArgumentException("invalid layer: content of " + e.displayName() + " ends early");
            }
            f.write(buffer, 0, r);
            CrashPoint.reach("apply.mid-file");
            n -= r;
        }
    }

    private void makeDirectory(byte[] path, TarEntry e) throws ErrnoException {
        try {
            root.mkdir(path, e.mode());
        } catch (ErrnoException ex) {
            if (ex.errno() != ErrnoException.EEXIST) {
                throw ex;
            }
            Optional<Stat> existing = root.lstat(path);
            if (existing.isEmpty() || !existing.get().isDirectory()) {
                removeAll(path);
                root.mkdir(path, e.mode());
            }
        }
        knownDirs.add(e.name());
        root.lchown(path, e.uid(), e.gid());
        setXattrs(path, e);
        root.chmod(path, e.mode());
        dirs.add(e);
    }

    private void makeNode(byte[] path, TarEntry e) throws ErrnoException {
        int type = switch (e.type()) {
            case CHAR_DEVICE -> Stat.S_IFCHR;
            case BLOCK_DEVICE -> Stat.S_IFBLK;
            default -> Stat.S_IFIFO;
        };
        if (type != Stat.S_IFIFO && !allowDevices) {
            throw new InvalidArgumentException("invalid layer: device entry " + e.displayName()
                    + " is not allowed here");
        }
        replaceIfExists(path, () -> root.mknod(path, type | e.mode(), e.devMajor(), e.devMinor()));
        finish(path, e, true);
    }

    private void link(byte[] path, TarEntry e) throws ErrnoException {
        String target = Names.clean(e.linkName(), "hard link target");
        if (target.isEmpty()) {
            throw new InvalidArgumentException("invalid layer: hard link " + e.displayName() + " points at the root");
        }
        byte[] to = bytes(target);
        try {
            replaceIfExists(path, () -> root.link(to, path));
        } catch (ErrnoException ex) {
            if (ex.errno() == ErrnoException.ENOENT) {
                throw new InvalidArgumentException("invalid layer: hard link " + e.displayName() + " points at "
                        + Names.quote(target) + ", which is not in the layer's tree");
            }
            throw ex;
        }
        // The link shares the inode of its target, whose owner, mode, xattrs and times its own
        // entry already set: as GNU tar, leave them. Setting the owner again would clear a
        // security.capability and the setuid bits (containerd loses them this way).
    }

    /** Owner, xattrs, mode (unless a symlink), times: containerd's order, mode after owner. */
    private void finish(byte[] path, TarEntry e, boolean chmod) throws ErrnoException {
        root.lchown(path, e.uid(), e.gid());
        setXattrs(path, e);
        if (chmod) {
            root.chmod(path, e.mode());
        }
        setTimes(path, e);
    }

    private void setXattrs(byte[] path, TarEntry e) throws ErrnoException {
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
            if (acceptXattr(x.getKey(), e)) {
                try {
                    root.setXattr(path, x.getKey(), x.getValue());
                } catch (ErrnoException ex) {
                    tolerateXattrFailure(ex, x.getKey(), e, e.type() == EntryType.DIRECTORY);
                }
            }
        }
    }

    /** Overlay's own attributes would let a layer forge whiteouts or redirects: never taken from archives. */
    private static boolean acceptXattr(String name, TarEntry e) {
        if (name.startsWith(ParentDirs.OVERLAY_XATTRS)) {
            LOG.log(System.Logger.Level.WARNING, () -> "ignored xattr " + name + " on " + e.displayName() + ": overlayfs metadata is not taken from layers");
            return false;
        }
        return true;
    }

    /** As containerd: unsupported xattrs, and user.* on what cannot carry them, are skipped with a warning. */
    private static void tolerateXattrFailure(ErrnoException ex, String name, TarEntry e, boolean regularOrDir)
            throws ErrnoException {
        boolean unsupported = ex.errno() == ErrnoException.EOPNOTSUPP;
        boolean userOnSpecial = ex.errno() == ErrnoException.EPERM && name.startsWith("user.") && !regularOrDir;
        if (!unsupported && !userOnSpecial) {
            throw ex;
        }
        LOG.log(System.Logger.Level.WARNING, () -> "ignored xattr " + name + " on " + e.displayName() + ": " + ex.getMessage());
    }

    private void setTimes(byte[] path, TarEntry e) throws ErrnoException {
        root.setTimes(path, atimeNanos(e), nanos(e.mtime()));
    }

    private void whiteout(String parent, String base, TarEntry e) throws ErrnoException {
        if (base.equals(OPAQUE)) {
            if (whiteouts == Whiteouts.OVERLAY) {
                root.setXattr(bytes(parent), "trusted.overlay.opaque", new byte[] {'y'});
            } else {
                clearLower(parent);
            }
            return;
        }
        if (base.startsWith(WHITEOUT + WHITEOUT)) {
            return; // AUFS metadata (.wh..wh.plnk and friends): meaningless here, as in Docker
        }
        String name = base.substring(WHITEOUT.length());
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new InvalidArgumentException("invalid layer: invalid whiteout name " + e.displayName());
        }
        byte[] target = bytes(Names.child(parent, name));
        removeAll(target);
        if (whiteouts == Whiteouts.OVERLAY) {
            root.mknod(target, Stat.S_IFCHR, 0, 0);
            root.lchown(target, e.uid(), e.gid());
        }
    }

    /** Removes from {@code dir} everything this layer did not add, descending into what it did. */
    private void clearLower(String dir) throws ErrnoException {
        byte[] d = bytes(dir);
        for (byte[] child : root.list(d)) {
            String rel = Names.child(dir, Latin1.of(child));
            if (!unpacked.contains(rel)) {
                removeAll(bytes(rel));
            } else {
                Optional<Stat> st = root.lstat(bytes(rel));
                if (st.isPresent() && st.get().isDirectory()) {
                    clearLower(rel);
                }
            }
        }
    }

    /**
     * Makes sure {@code dir} is a directory (following symlinks inside the root), creating missing
     * ones as containerd's mkparent does: mode 0755, or the metadata of the same directory in the
     * nearest parent layer that has it.
     */
    private void ensureDirectory(String dir) throws ErrnoException {
        ensureDirectory(dir, 0);
    }

    private void ensureDirectory(String dir, int links) throws ErrnoException {
        if (dir.isEmpty() || knownDirs.contains(dir)) {
            return;
        }
        byte[] d = bytes(dir);
        try {
            if (root.isDirectory(d)) {
                knownDirs.add(dir);
                return;
            }
        } catch (ErrnoException ex) {
            if (ex.errno() == ErrnoException.ENOTDIR) {
                throw new InvalidArgumentException("invalid layer: " + Names.quote(dir)
                        + " is needed as a directory but is not one");
            }
            throw ex;
        }
        ensureDirectory(Names.parent(dir), links);
        try {
            root.mkdir(d, 0755);
        } catch (ErrnoException ex) {
            if (ex.errno() != ErrnoException.EEXIST) {
                throw ex;
            }
            Optional<Stat> st = root.lstat(d);
            if (st.isEmpty() || !st.get().isSymlink()) {
                throw new InvalidArgumentException("invalid layer: " + Names.quote(dir)
                        + " is needed as a directory but is not one");
            }
            // A symlink to where nothing is yet: create its target, resolved as inside the root
            // (containerd's mkparent creates the path fs.RootPath resolved).
            if (links >= 40) {
                throw new InvalidArgumentException("invalid layer: too many levels of symbolic links at " + Names.quote(dir));
            }
            ensureDirectory(Names.resolveLink(Names.parent(dir), Latin1.of(root.readlink(d))), links + 1);
            return;
        }
        ParentDirs.copy(root, parents, d, true);
        knownDirs.add(dir);
        implicitDirs.add(dir);
    }

    private void removeAll(byte[] path) throws ErrnoException {
        knownDirs.clear();
        root.removeAll(path);
    }

    private interface Creation {
        void run() throws ErrnoException;
    }

    /** Runs {@code create}; if something is in the way, removes it (a whole tree) and runs it again. */
    private void replaceIfExists(byte[] path, Creation create) throws ErrnoException {
        try {
            create.run();
        } catch (ErrnoException ex) {
            if (ex.errno() != ErrnoException.EEXIST) {
                throw ex;
            }
            removeAll(path);
            create.run();
        }
    }

    /** containerd sets atime to the later of atime and mtime. */
    private static long atimeNanos(TarEntry e) {
        Instant m = e.mtime();
        Instant a = e.atime().filter(t -> t.isAfter(m)).orElse(m);
        return nanos(a);
    }

    /** Nanoseconds since the epoch; times before it or past 2262 become the epoch, as containerd's boundTime. */
    static long nanos(Instant t) {
        if (t.getEpochSecond() < 0 || t.getEpochSecond() >= Long.MAX_VALUE / 1_000_000_000L) {
            return 0;
        }
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static byte[] bytes(String byteString) {
        return Latin1.bytes(byteString);
    }
}
