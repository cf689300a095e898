package io.strata.backend.overlay;

import io.strata.api.FailedPreconditionException;
import io.strata.api.Info;
import io.strata.api.InternalException;
import io.strata.api.Kind;
import io.strata.api.Mount;
import io.strata.backend.directory.DirectorySnapshotter;
import io.strata.fs.DType;
import io.strata.fs.FileOps;
import io.strata.metastore.MetaStore;
import io.strata.metastore.SnapshotRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The overlayfs backend, faithful to containerd's overlay snapshotter.
 *
 * <p>Layout: {@code <root>/snapshots/<id>/fs} (the upper directory; mode 0755 whatever the umask)
 * and {@code <root>/snapshots/<id>/work} (overlay's work directory, active snapshots only). Ids are
 * short decimal numbers, so mount options stay short.
 *
 * <p>Mounts: no parent: one {@code bind} of {@code fs} ({@code rw}, or {@code ro} for a view);
 * active with parents: {@code overlay} with {@code workdir}, {@code upperdir} and {@code lowerdir}
 * (parents nearest first); view with one parent: a read-only bind of the parent's {@code fs}; view
 * with several: {@code overlay} with {@code lowerdir} only (read-only by construction). The
 * backend's extra options ({@code index=off} when the kernel has the parameter) follow.
 *
 * <p>Deep stacks: when the options would pass containerd's long-option threshold (a page less
 * 512 bytes), the lower directories are named through short links {@code <root>/l/<id in base 36>}
 * instead ({@link OverlayOptions#linkDir()}; {@code <state root>/l} when opened through
 * {@code Backends}), so that 128 layers stay within mount(2)'s one-page limit.
 */
public final class OverlaySnapshotter extends DirectorySnapshotter {
    /** containerd's label for the upper directory, reported with {@link OverlayOptions#upperdirLabel()}. */
    public static final String UPPERDIR_LABEL = "containerd.io/snapshot/overlay.upperdir";

    private final OverlayOptions options;
    private final List<String> extraOptions;
    private final ShortLinks links;

    private OverlaySnapshotter(Path root, MetaStore store, OverlayOptions options, List<String> extraOptions)
            throws IOException {
        super(root, store, options.asyncRemove());
        this.options = options;
        this.extraOptions = extraOptions;
        this.links = new ShortLinks(options.linkDir().orElse(root.resolve("l")), dirs.dir());
    }

    /**
     * Opens the backend at {@code root} (created with mode 0700 if missing) on {@code store}.
     *
     * @throws FailedPreconditionException if the file system under {@code root} lacks d_type,
     *                                     which overlayfs needs
     */
    public static OverlaySnapshotter open(Path root, MetaStore store, OverlayOptions options) {
        try {
            Files.createDirectories(root);
            FileOps.chmod(root, 0700);
            if (!DType.supported(root)) {
                throw new FailedPreconditionException(root + " does not support d_type. If the backing filesystem"
                        + " is xfs, please reformat with ftype=1 to enable d_type support");
            }
            List<String> extra = new ArrayList<>(options.mountOptions());
            if (!hasOption(extra, "index") && Files.exists(Path.of("/sys/module/overlay/parameters/index"))) {
                extra.add("index=off");
            }
            return new OverlaySnapshotter(root, store, options, List.copyOf(extra));
        } catch (IOException e) {
            store.close();
            throw new InternalException("failed to open overlayfs snapshotter at " + root + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static boolean hasOption(List<String> options, String key) {
        for (String o : options) {
            if (o.equals(key) || o.startsWith(key + "=")) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@link #REBASE}, as containerd's overlayfs: an upper directory does not depend on the lower
     * ones, so an active snapshot prepared without a parent can be stacked onto one at commit
     * (whatever it deletes from below must be written as overlay whiteouts, character devices 0/0,
     * and opaque directories as {@code trusted.overlay.opaque}).
     */
    @Override
    public Set<String> capabilities() {
        return Set.of(REBASE);
    }

    /** The upper directory of snapshot {@code id}. */
    public Path upperPath(long id) {
        return dirs.of(id).resolve("fs");
    }

    /** The upper directory of the snapshot with this key or name (what the upperdir label reports). */
    public Path upperDirectory(String key) {
        ensureOpen();
        return upperPath(store.read(tx -> tx.info(key)).id());
    }

    private Path workPath(long id) {
        return dirs.of(id).resolve("work");
    }

    @Override
    protected void inherit(Path temp, Kind kind, Path parentDir) throws IOException {
        // Like containerd: the new upper starts owned by whoever owns the parent's root.
        var st = io.strata.fs.Stat.lstat(parentDir.resolve("fs"));
        FileOps.lchown(temp.resolve("fs"), st.uid(), st.gid());
    }

    @Override
    protected void populate(Path temp, Kind kind) throws IOException {
        Path fs = Files.createDirectory(temp.resolve("fs"));
        FileOps.chmod(fs, 0755);
        if (kind == Kind.ACTIVE) {
            Path work = Files.createDirectory(temp.resolve("work"));
            FileOps.chmod(work, 0711);
        }
    }

    @Override
    public List<Path> requiredPaths(long id, Kind kind, boolean hasParent) {
        return kind == Kind.ACTIVE ? List.of(upperPath(id), workPath(id)) : List.of(upperPath(id));
    }

    @Override
    public Path usagePath(long id) {
        return upperPath(id);
    }

    @Override
    protected List<Mount> mountsOf(SnapshotRef s) {
        List<Long> parents = s.parentIds();
        if (parents.isEmpty()) {
            String rw = s.kind() == Kind.VIEW ? "ro" : "rw";
            return List.of(new Mount("bind", upperPath(s.id()).toString(), List.of(rw, "rbind")));
        }
        List<String> opts = new ArrayList<>();
        if (s.kind() == Kind.ACTIVE) {
            opts.add("workdir=" + workPath(s.id()));
            opts.add("upperdir=" + upperPath(s.id()));
        } else if (parents.size() == 1) {
            return List.of(new Mount("bind", upperPath(parents.getFirst()).toString(), List.of("ro", "rbind")));
        }
        int fixed = opts.stream().mapToInt(o -> o.length() + 1).sum()
                + extraOptions.stream().mapToInt(o -> o.length() + 1).sum();
        String lower = lowerdir(parents, false);
        if (fixed + lower.length() > LONG_OPTIONS) {
            lower = lowerdir(parents, true);
        }
        opts.add(lower);
        opts.addAll(extraOptions);
        return List.of(new Mount("overlay", "overlay", opts));
    }

    /**
     * containerd's mount code rewrites overlay options longer than a page minus 512 bytes; we keep
     * what we hand out under that, so any consumer, even one calling mount(2) directly, can use it.
     */
    static final int LONG_OPTIONS = 4096 - 512;

    private String lowerdir(List<Long> parents, boolean shortLinks) {
        StringBuilder lower = new StringBuilder("lowerdir=");
        for (int i = 0; i < parents.size(); i++) {
            if (i > 0) {
                lower.append(':');
            }
            lower.append(shortLinks ? links.ensure(parents.get(i)) : upperPath(parents.get(i)));
        }
        return lower.toString();
    }

    @Override
    protected void removed(long id) {
        links.remove(id);
    }

    @Override
    protected void cleanupExtras(Map<Long, String> ids) {
        links.removeOrphans(ids);
    }

    @Override
    protected boolean decorates() {
        return options.upperdirLabel();
    }

    @Override
    protected Info decorate(long id, Info info) {
        if (!options.upperdirLabel()) {
            return info;
        }
        Map<String, String> labels = new HashMap<>(info.labels());
        labels.put(UPPERDIR_LABEL, upperPath(id).toString());
        return info.withLabels(labels);
    }
}
