package io.strata.backend.nativefs;

import io.strata.api.InternalException;
import io.strata.api.Kind;
import io.strata.api.Mount;
import io.strata.backend.directory.DirectorySnapshotter;
import io.strata.fs.FileOps;
import io.strata.fs.TreeCopier;
import io.strata.metastore.MetaStore;
import io.strata.metastore.SnapshotRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The native backend, containerd's {@code native} snapshotter: every active snapshot is a full
 * copy of its parent in {@code <root>/snapshots/<id>}, made with reflinks where the file system
 * can and {@code copy_file_range} otherwise, keeping owners, modes, xattrs, hard links, symbolic
 * links, device nodes, fifos and timestamps. Works on any file system, needs no overlayfs.
 *
 * <p>Mounts are binds: the snapshot's own directory for an active snapshot or a snapshot without
 * parent ({@code rw}, or {@code ro} for a view), the parent's directory, read-only, for a view.
 */
public final class NativeSnapshotter extends DirectorySnapshotter {

    private NativeSnapshotter(Path root, MetaStore store) throws IOException {
        super(root, store, false);
    }

    /** Opens the backend at {@code root} (created with mode 0700 if missing) on {@code store}. */
    public static NativeSnapshotter open(Path root, MetaStore store) {
        try {
            Files.createDirectories(root);
            FileOps.chmod(root, 0700);
            return new NativeSnapshotter(root, store);
        } catch (IOException e) {
            store.close();
            throw new InternalException("failed to open native snapshotter at " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected void populate(Path temp, Kind kind) {
        // An empty directory (mode 0755) is the whole skeleton.
    }

    @Override
    protected void inherit(Path temp, Kind kind, Path parentDir) throws IOException {
        if (kind == Kind.ACTIVE) {
            TreeCopier.copy(parentDir, temp);
            // The copy is many files; one syncfs makes them durable before the record is committed.
            FileOps.syncfs(temp);
        }
    }

    @Override
    public Path usagePath(long id) {
        return dirs.of(id);
    }

    @Override
    protected List<Mount> mountsOf(SnapshotRef s) {
        String rw = s.kind() == Kind.VIEW ? "ro" : "rw";
        Path source = s.parentIds().isEmpty() || s.kind() == Kind.ACTIVE
                ? dirs.of(s.id())
                : dirs.of(s.parentIds().getFirst());
        return List.of(new Mount("bind", source.toString(), List.of("rbind", rw)));
    }
}
