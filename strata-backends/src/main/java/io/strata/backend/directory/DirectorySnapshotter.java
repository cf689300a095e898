package io.strata.backend.directory;

import io.strata.api.AlreadyExistsException;
import io.strata.api.FailedPreconditionException;
import io.strata.api.Info;
import io.strata.api.InfoFilters;
import io.strata.api.InternalException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Kind;
import io.strata.api.Limits;
import io.strata.api.Mount;
import io.strata.api.NotFoundException;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.api.UnavailableException;
import io.strata.api.Usage;
import io.strata.fs.CrashPoint;
import io.strata.fs.DiskUsage;
import io.strata.fs.FileOps;
import io.strata.metastore.MetaStore;
import io.strata.metastore.SnapshotRef;
import io.strata.metastore.StoredInfo;
import io.strata.metastore.WriteTx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The part of a snapshotter that every directory-per-snapshot backend shares: records in a
 * {@link MetaStore}, data in {@link SnapshotDirs}, containerd's semantics for every operation.
 * A backend says how to fill a new snapshot's directory, where its writable tree is, and what
 * its mounts are.
 *
 * <p>Crash order of a prepare: fill a temporary directory (outside the transaction), then inside
 * the write transaction insert the record, rename the directory to its id and fsync the parent,
 * and only then commit. A crash before the commit leaves a directory without a record, which
 * {@link #cleanup} removes; it never leaves a record without its directory.
 */
public abstract class DirectorySnapshotter implements Snapshotter {
    private static final System.Logger LOG = System.getLogger(DirectorySnapshotter.class.getName());

    protected final Path root;
    protected final MetaStore store;
    protected final SnapshotDirs dirs;
    private final boolean asyncRemove;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Spares spares;

    protected DirectorySnapshotter(Path root, MetaStore store, boolean asyncRemove) throws IOException {
        this.root = root;
        this.store = store;
        this.dirs = new SnapshotDirs(root);
        this.asyncRemove = asyncRemove;
        this.spares = new Spares(dirs, this::buildSkeleton);
    }

    /** A temporary directory holding the skeleton of a new snapshot of this kind, or nothing on failure. */
    private Path buildSkeleton(Kind kind) throws IOException {
        Path temp = dirs.createTemp();
        try {
            populate(temp, kind);
            return temp;
        } catch (IOException | RuntimeException e) {
            dirs.discard(temp);
            throw e;
        }
    }

    /**
     * Builds the parent-independent skeleton of a new snapshot in its temporary directory (for
     * example overlayfs's {@code fs} and {@code work}). May run ahead of time, before the snapshot
     * is asked for.
     */
    protected abstract void populate(Path temp, Kind kind) throws IOException;

    /** Finishes a new snapshot from its parent, if it has one (for example copies the parent). */
    protected void inherit(Path temp, Kind kind, Path parentDir) throws IOException {
    }

    /**
     * Finishes a new snapshot's temporary directory before it is published, outside the write
     * transaction. The default calls {@link #inherit} when there is a parent; a backend that needs
     * the labels asked for, or work for a snapshot without parent, overrides this instead. If it
     * throws, the temporary directory is discarded and nothing is recorded; a
     * {@link io.strata.api.StrataException} reaches the caller unchanged.
     *
     * @param parentDir the parent's data directory, empty for a snapshot without parent
     */
    protected void finish(Path temp, Kind kind, Optional<Path> parentDir, Map<String, String> labels) throws IOException {
        if (parentDir.isPresent()) {
            inherit(temp, kind, parentDir.get());
        }
    }

    /** The directory whose usage is the snapshot's usage (the writable tree). */
    public abstract Path usagePath(long id);

    /** The mounts of an active or view snapshot. */
    protected abstract List<Mount> mountsOf(SnapshotRef ref);

    /** Called after the record of snapshot {@code id} is removed, with synchronous removal. */
    protected void removed(long id) {
    }

    /** Called by {@link #cleanup} with the live ids, to remove a backend's own leftovers. */
    protected void cleanupExtras(Map<Long, String> ids) {
    }

    /**
     * The paths that must exist for snapshot {@code id} of this kind to be usable, checked by
     * {@link io.strata.backend.Fsck}. The default: its directory.
     *
     * @param hasParent whether the snapshot has a parent (a view of a parent may own no data)
     */
    public List<Path> requiredPaths(long id, Kind kind, boolean hasParent) {
        return List.of(dirs.of(id));
    }

    /**
     * What contradicts the snapshot's kind on disk (say a committed image that is writable), for
     * {@link io.strata.backend.Fsck}; empty when nothing does. Called only when {@link #requiredPaths} all exist.
     */
    public Optional<String> stateProblem(long id, Kind kind) throws IOException {
        return Optional.empty();
    }

    /** Brings the on-disk state of snapshot {@code id} back in line with its kind (what {@link #stateProblem} found). */
    public void repairState(long id, Kind kind) throws IOException {
    }

    /**
     * Temporary mounts of this backend's data still in place ({@link io.strata.fs.Mounter#withMounted}'s
     * directories, say of a block image a layer was being applied to), for {@link io.strata.backend.Fsck}, which runs
     * with nothing else holding the store: these outlived the process that made them. The default
     * looks for none.
     */
    public List<Path> staleMounts() throws IOException {
        return List.of();
    }

    /** Labels a backend adds when reporting an info (never stored). */
    protected Info decorate(long id, Info info) {
        return info;
    }

    /** The metastore of this backend; for {@link io.strata.backend.Fsck}, which checks it against the disk. */
    public MetaStore metaStore() {
        return store;
    }

    /** The snapshot directories of this backend. */
    public SnapshotDirs dirs() {
        return dirs;
    }

    @Override
    public Info stat(String key) {
        ensureOpen();
        StoredInfo s = store.read(tx -> tx.info(key));
        return decorate(s.id(), s.info());
    }

    @Override
    public Info update(String key, Map<String, String> labels, String... fieldPaths) {
        ensureOpen();
        Limits.checkLabels(labels);
        return store.write(tx -> {
            Info updated = tx.update(key, labels, fieldPaths);
            return decorates() ? decorate(tx.info(updated.name()).id(), updated) : updated;
        });
    }

    @Override
    public Usage usage(String key) {
        ensureOpen();
        StoredInfo s = store.read(tx -> tx.info(key));
        if (s.info().kind() != Kind.ACTIVE) {
            return s.usage();
        }
        return measure(s.id());
    }

    @Override
    public List<Mount> mounts(String key) {
        ensureOpen();
        SnapshotRef ref = store.read(tx -> tx.snapshot(key));
        return mountsOf(ref);
    }

    @Override
    public List<Mount> prepare(String key, String parent, SnapshotOption... options) {
        return create(Kind.ACTIVE, key, parent, options);
    }

    @Override
    public List<Mount> view(String key, String parent, SnapshotOption... options) {
        return create(Kind.VIEW, key, parent, options);
    }

    private List<Mount> create(Kind kind, String key, String parent, SnapshotOption... options) {
        ensureOpen();
        Limits.checkKey("key", key);
        Map<String, String> labels = Limits.checkLabels(SnapshotOption.labelsOf(options));
        SnapshotOption.requireNoParent(kind == Kind.VIEW ? "view" : "prepare", options);
        String parentName = parent == null ? "" : parent;
        Path parentDir = precheck(key, parentName);
        Path spare = spares.take(kind);
        Path filled;
        try {
            filled = spare != null ? spare : buildSkeleton(kind);
        } catch (IOException e) {
            throw ioFailure("failed to prepare directory of snapshot " + key, e);
        }
        try {
            try {
                finish(filled, kind, Optional.ofNullable(parentDir), labels);
            } catch (IOException e) {
                if (parentDir != null) {
                    // The parent may have been removed while we copied it; report that, not the I/O error.
                    store.read(tx -> tx.info(parentName));
                }
                throw ioFailure("failed to prepare directory of snapshot " + key, e);
            }
            SnapshotRef ref = store.write(tx -> {
                SnapshotRef r = tx.create(kind, key, parentName, labels);
                Path published = dirs.publish(filled, r.id());
                CrashPoint.reach("prepare.after-publish");
                tx.onRollback(() -> {
                    try {
                        FileOps.deleteTree(published);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                return r;
            });
            return mountsOf(ref);
        } finally {
            dirs.discard(filled); // a no-op once published: the temporary name no longer exists
        }
    }

    /**
     * Checks, before any copying, what the transaction will check again: the key is free and the
     * parent is committed. Returns the parent's data directory, or null for no parent.
     */
    private Path precheck(String key, String parent) {
        return store.read(tx -> {
            try {
                tx.info(key);
                throw new AlreadyExistsException("snapshot " + key + ": already exists");
            } catch (NotFoundException free) {
                // expected
            }
            if (parent.isEmpty()) {
                return null;
            }
            StoredInfo p;
            try {
                p = tx.info(parent);
            } catch (NotFoundException e) {
                throw new NotFoundException("parent snapshot " + parent + " does not exist");
            }
            if (p.info().kind() != Kind.COMMITTED) {
                throw new FailedPreconditionException("parent " + parent + " is not committed snapshot");
            }
            return dirs.of(p.id());
        });
    }

    @Override
    public void commit(String name, String key, SnapshotOption... options) {
        ensureOpen();
        Limits.checkKey("name", name);
        Limits.checkKey("key", key);
        Map<String, String> labels = Limits.checkLabels(SnapshotOption.labelsOf(options));
        String parent = SnapshotOption.parentOf(options);
        if (!parent.isEmpty()) {
            Limits.checkKey("parent", parent);
        }
        store.write(tx -> {
            StoredInfo s = tx.info(key);
            if (!parent.isEmpty() && s.info().parentOrEmpty().isEmpty() && !capabilities().contains(REBASE)) {
                // The data of this backend's snapshots starts as a copy of the parent's: a parent
                // named only at commit would not be in it.
                throw new InvalidArgumentException("cannot rebase snapshot " + key + " onto " + parent
                        + " at commit: this snapshotter has no rebase capability (prepare on the parent instead)");
            }
            Usage usage = s.info().kind() == Kind.ACTIVE ? seal(s.id(), tx) : Usage.ZERO;
            CrashPoint.reach("commit.after-seal");
            tx.commit(key, name, parent, usage, labels);
            return null;
        });
        CrashPoint.reach("commit.after-record");
    }

    /**
     * Makes what was written into active snapshot {@code id} durable and measures it, inside the
     * commit's write transaction, before the record says committed (register undo work with
     * {@link WriteTx#onRollback}). The default: syncfs of the writable tree, then its disk usage.
     */
    protected Usage seal(long id, WriteTx tx) throws IOException {
        Path data = usagePath(id);
        // The walk reads metadata the page cache holds while syncfs waits for the disk, so they
        // run at once: on 124k small files that is 0.3 s of a 1 s commit.
        java.util.concurrent.Future<Usage> usage = USAGE_WALKS.submit(() -> DiskUsage.of(data));
        // What was written into the snapshot must be on disk before the record says it is
        // committed; syncfs covers every file without walking them.
        FileOps.syncfs(data);
        try {
            return usage.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("measuring " + data + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while measuring " + data);
        }
    }

    /** Where {@link #seal} measures usage while it flushes; threads end after a minute unused. */
    private static final java.util.concurrent.ExecutorService USAGE_WALKS = java.util.concurrent.Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("strata-usage-", 1).factory());

    @Override
    public void remove(String key) {
        ensureOpen();
        long id = store.write(tx -> tx.remove(key).id());
        CrashPoint.reach("remove.after-record");
        if (!asyncRemove) {
            removed(id);
            try {
                FileOps.deleteTree(dirs.of(id));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "snapshot {0} removed; its directory {1} is left for cleanup: {2}",
                        key, dirs.of(id), e.toString());
            }
        }
    }

    @Override
    public void walk(Consumer<Info> fn, String... filters) {
        ensureOpen();
        Predicate<Info> filter = InfoFilters.parse(filters);
        List<Info> found = new ArrayList<>();
        Map<String, Long> ids = new java.util.HashMap<>();
        // Collect first, call back after the transaction: the callback may stat, or even remove.
        store.read(tx -> {
            tx.walk(filter, found::add);
            if (decorates()) {
                tx.idMap().forEach((id, k) -> ids.put(k, id));
            }
            return null;
        });
        for (Info info : found) {
            fn.accept(decorates() ? decorate(ids.get(info.name()), info) : info);
        }
    }

    /** Whether {@link #decorate} adds anything (saves an id lookup per walked snapshot when not). */
    protected boolean decorates() {
        return false;
    }

    @Override
    public void cleanup() {
        ensureOpen();
        Map<Long, String> live = new java.util.HashMap<>();
        List<Path> orphans = store.write(tx -> {
            live.putAll(tx.idMap());
            return dirs.orphans(live);
        });
        cleanupExtras(live);
        for (Path p : orphans) {
            try {
                FileOps.deleteTree(p);
                CrashPoint.reach("cleanup.mid");
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cleanup could not remove {0}: {1}", p, e.toString());
            }
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            spares.close();
            store.close();
        }
    }

    protected final void ensureOpen() {
        if (closed.get()) {
            throw new UnavailableException("snapshotter is closed");
        }
    }

    /**
     * The error for an I/O failure: {@link UnavailableException} naming the resource when the
     * environment ran out of something (space, a writable file system, file descriptors), so that
     * callers can tell "try again later" from a broken store; {@link InternalException} otherwise.
     */
    protected static io.strata.api.StrataException ioFailure(String doing, IOException e) {
        return io.strata.api.IoErrors.classify(doing, e);
    }

    public Usage measure(long id) {
        try {
            return DiskUsage.of(usagePath(id));
        } catch (IOException e) {
            throw new InternalException("failed to measure usage of snapshot " + id + ": " + e.getMessage(), e);
        }
    }

}
