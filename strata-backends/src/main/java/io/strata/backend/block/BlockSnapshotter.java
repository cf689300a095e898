package io.strata.backend.block;

import io.strata.api.InternalException;
import io.strata.api.Kind;
import io.strata.api.Mount;
import io.strata.api.Usage;
import io.strata.backend.BlockOptions;
import io.strata.backend.directory.DirectorySnapshotter;
import io.strata.fs.CopyMethod;
import io.strata.fs.FileOps;
import io.strata.fs.FsStats;
import io.strata.fs.LoopMounts;
import io.strata.fs.Mounter;
import io.strata.fs.Stat;
import io.strata.metastore.MetaStore;
import io.strata.metastore.SnapshotRef;
import io.strata.metastore.StoredInfo;
import io.strata.metastore.WriteTx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The block backend: LCOW's scratch-disk design on Linux, and containerd's {@code blockfile}
 * snapshotter. Every snapshot is an ext4 file-system image, {@code <root>/snapshots/<id>/layer.img},
 * for quota-bounded containers, VM runtimes that take a disk, and hosts without overlayfs.
 *
 * <ul>
 *   <li><b>New snapshots</b>: an active snapshot (and a view without parent) starts as a copy of
 *       its parent's image, or with no parent of the template, an empty ext4 of the configured
 *       scratch size formatted once ({@link BlockOptions#scratchSize()}). Copies are reflinks
 *       (FICLONE) where the file system under the root shares extents (xfs, btrfs), sparse
 *       copies (SEEK_DATA/SEEK_HOLE and copy_file_range) elsewhere; {@link #copyCounts()} says
 *       which. A view of a committed snapshot copies nothing: it mounts the parent's image
 *       read-only, as containerd's blockfile does.
 *   <li><b>Size</b>: the label {@value #SIZE_GB_LABEL} (LCOW's, in GiB) or {@value #SIZE_BYTES_LABEL}
 *       (in bytes) on a prepare grows the new scratch: first the file, then the ext4 inside it,
 *       offline with {@code resize2fs}, before the snapshot exists. Asking for less than the
 *       parent's (or the template's) size is an {@link io.strata.api.InvalidArgumentException},
 *       and so is a malformed value; either way nothing is created. Views ignore the labels.
 *   <li><b>Mounts</b>: {@code {type: ext4, source: <image>, options: [loop, rw]}} ({@code ro}
 *       for views), exactly what containerd's blockfile returns, so containerd's mount code and
 *       runc use them unchanged; Strata's {@link io.strata.fs.Mounter} attaches auto-clearing
 *       loop devices itself, so unmounting releases them.
 *   <li><b>Commit</b> flushes the image (syncfs of wherever it is still mounted, fsync of the
 *       file), records its usage and makes it read-only (mode 0444; every mount of a committed
 *       image is {@code ro} on a read-only loop device).
 *   <li><b>Usage</b>: the image's allocated bytes ({@code st_blocks * 512}), which for a reflinked
 *       image counts the extents it still shares with its parent; inodes are those in use inside
 *       the ext4 (statfs where mounted, else the superblock).
 * </ul>
 *
 * <p>Crash order is {@link DirectorySnapshotter}'s: the image is copied, grown and fsynced inside
 * a temporary directory, which is renamed to its id inside the metadata transaction.
 */
public final class BlockSnapshotter extends DirectorySnapshotter {
    /** LCOW's size label, in GiB, kept for compatibility with Windows/LCOW clients. */
    public static final String SIZE_GB_LABEL = "containerd.io/snapshot/io.microsoft.container.storage.rootfs.size-gb";
    /** Strata's size label, in bytes. */
    public static final String SIZE_BYTES_LABEL = "containerd.io/snapshot/io.strata.block.size-bytes";
    /** The name of the image file inside a snapshot's directory. */
    public static final String IMAGE = "layer.img";

    private final ScratchTemplate template;
    private final Map<CopyMethod, LongAdder> copies = new EnumMap<>(CopyMethod.class);

    private BlockSnapshotter(Path root, MetaStore store, ScratchTemplate template) throws IOException {
        super(root, store, false);
        this.template = template;
        for (CopyMethod m : CopyMethod.values()) {
            copies.put(m, new LongAdder());
        }
    }

    /**
     * Opens the backend at {@code root} (created with mode 0700 if missing) on {@code store}. The
     * template is formatted when first needed, so opening needs no e2fsprogs; the first prepare
     * without parent fails with {@link io.strata.api.FailedPreconditionException} if
     * {@code mkfs.ext4} is missing.
     */
    public static BlockSnapshotter open(Path root, MetaStore store, BlockOptions options) {
        try {
            Files.createDirectories(root);
            FileOps.chmod(root, 0700);
            return new BlockSnapshotter(root, store, ScratchTemplate.open(root, options.scratchSize()));
        } catch (IOException e) {
            store.close();
            throw new InternalException("failed to open block snapshotter at " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * The image file holding the data of the snapshot with this key or name: its own, or for a
     * view of a committed snapshot, that snapshot's.
     */
    public Path imageOf(String key) {
        ensureOpen();
        long id = store.read(tx -> {
            StoredInfo s = tx.info(key);
            if (s.info().kind() == Kind.VIEW && s.info().parent().isPresent()) {
                return tx.info(s.info().parent().get()).id();
            }
            return s.id();
        });
        return image(id);
    }

    /** How many images were copied each way since this snapshotter was opened. */
    public Map<CopyMethod, Long> copyCounts() {
        Map<CopyMethod, Long> out = new EnumMap<>(CopyMethod.class);
        copies.forEach((m, n) -> out.put(m, n.sum()));
        return out;
    }

    private Path image(long id) {
        return dirs.of(id).resolve(IMAGE);
    }

    @Override
    protected void populate(Path temp, Kind kind) {
        // The empty directory is the skeleton; the image depends on the parent and the labels.
    }

    @Override
    protected void finish(Path temp, Kind kind, Optional<Path> parentDir, Map<String, String> labels) throws IOException {
        if (kind == Kind.VIEW && parentDir.isPresent()) {
            return; // mounts the parent's image read-only
        }
        // Labels first: a bad one costs neither a copy nor, on a fresh root, a mkfs.
        OptionalLong wanted = kind == Kind.ACTIVE ? ScratchSize.requested(labels) : OptionalLong.empty();
        Path source = parentDir.isPresent() ? parentDir.get().resolve(IMAGE) : template.get();
        long have = Files.size(source);
        if (wanted.isPresent()) {
            ScratchSize.checkGrowth(wanted.getAsLong(), have, parentDir.isPresent() ? "its parent's image" : "the template");
        }
        Path image = temp.resolve(IMAGE);
        copies.get(FileOps.cloneOrCopy(source, image)).increment();
        FileOps.chmod(image, 0644);
        if (wanted.isPresent() && wanted.getAsLong() > have) {
            Growth.grow(image, wanted.getAsLong(), temp);
        }
        // The copy (for a sparse copy, its data; for a reflink, its extent map) is durable before
        // the record that points at it is committed.
        FileOps.fsync(image);
    }

    @Override
    public List<Path> requiredPaths(long id, Kind kind, boolean hasParent) {
        // A view of a committed snapshot mounts its parent's image and owns only an empty directory.
        return kind == Kind.VIEW && hasParent ? List.of(dirs.of(id)) : List.of(image(id));
    }

    @Override
    public Optional<String> stateProblem(long id, Kind kind) throws IOException {
        if (kind == Kind.VIEW) {
            return Optional.empty();
        }
        boolean writable = (Stat.lstat(image(id)).permissions() & 0222) != 0;
        if (kind == Kind.COMMITTED && writable) {
            return Optional.of("committed image " + image(id) + " is writable (mode "
                    + Integer.toOctalString(Stat.lstat(image(id)).permissions()) + ", want 444)");
        }
        if (kind == Kind.ACTIVE && !writable) {
            // A crash inside commit after seal's chmod and before the record said committed.
            return Optional.of("active image " + image(id) + " is read-only (want 644)");
        }
        return Optional.empty();
    }

    @Override
    public void repairState(long id, Kind kind) throws IOException {
        FileOps.chmod(image(id), kind == Kind.COMMITTED ? 0444 : 0644);
    }

    @Override
    public List<Path> staleMounts() throws IOException {
        // Also images already deleted: their loop device lives on until the mount goes.
        return LoopMounts.backedUnder(dirs.dir()).stream().distinct()
                .filter(m -> m.getFileName() != null && m.getFileName().toString().startsWith(Mounter.TEMP_PREFIX))
                .toList();
    }

    @Override
    public Path usagePath(long id) {
        return image(id);
    }

    @Override
    public Usage measure(long id) {
        try {
            return usageOf(image(id));
        } catch (IOException e) {
            throw new InternalException("failed to measure usage of snapshot " + id + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected Usage seal(long id, WriteTx tx) throws IOException {
        Path image = image(id);
        Usage usage = usageOf(image); // flushes the file systems still mounted from it, then the file
        FileOps.chmod(image, 0444);
        tx.onRollback(() -> {
            try {
                FileOps.chmod(image, 0644);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return usage;
    }

    /**
     * The image's allocated bytes and the inodes in use inside it. A file system mounted from the
     * image is synced first, so that what was written through the mount is in the file, and then
     * the file itself: until then xfs counts speculative copy-on-write reservations of a reflinked
     * image in its blocks, and a second measurement a moment later would be smaller.
     */
    private static Usage usageOf(Path image) throws IOException {
        List<Path> mounts = LoopMounts.of(image);
        for (Path m : mounts) {
            FileOps.syncfs(m);
        }
        FileOps.fsync(image);
        long inodes = mounts.isEmpty() ? Ext4Superblock.read(image).usedInodes() : FsStats.of(mounts.getFirst()).usedFiles();
        return new Usage(Stat.lstat(image).blocks() * 512, inodes);
    }

    @Override
    protected List<Mount> mountsOf(SnapshotRef s) {
        boolean view = s.kind() == Kind.VIEW;
        long id = view && !s.parentIds().isEmpty() ? s.parentIds().getFirst() : s.id();
        // containerd's blockfile: its mount options ("loop") then "ro" or "rw".
        return List.of(new Mount("ext4", image(id).toString(), List.of("loop", view ? "ro" : "rw")));
    }
}
