package io.strata.archive;

import io.strata.api.FailedPreconditionException;
import io.strata.api.InternalException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Mount;
import io.strata.api.StrataException;
import io.strata.api.UnavailableException;
import io.strata.codec.compress.CorruptStreamException;
import io.strata.codec.compress.DecompressingInputStream;
import io.strata.codec.compress.Decompression;
import io.strata.codec.tar.TarFormatException;
import io.strata.codec.tar.TarReader;
import io.strata.fs.Mounter;
import io.strata.fs.RootDir;
import io.strata.codec.compress.Compression;
import io.strata.codec.tar.TarWriter;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Applying OCI layers to snapshots: what containerd's diff applier does.
 *
 * <p>A layer is applied in the flavour of the mounts it is given: a single overlay mount with an
 * {@code upperdir} is written directly in its upper directory, whiteouts in overlayfs form (the
 * lower directories supply the metadata of implicit parent directories); a single writable bind
 * mount is written in its source directory, whiteouts deleting (or, asked by
 * {@link ApplyOptions#overlayWhiteouts}, in overlayfs form); anything else is mounted on a
 * temporary directory and written there, whiteouts deleting (so is an overlay mount with
 * {@code userxattr}).
 *
 * <p>Guarantees: no entry, link or whiteout reaches outside the tree (paths resolve inside it,
 * {@code ..} past the root and absolute names are refused); the DiffID and the compressed digest
 * are computed in the same pass and, when expected values are given, checked; any failure is a
 * {@link StrataException} naming the cause, and leaves the snapshot for the caller to remove, never
 * committed. Errors: {@link InvalidArgumentException} for a bad archive, bad compression or a
 * mismatched digest, {@link FailedPreconditionException} for read-only mounts,
 * {@link UnavailableException} when the disk is full or read-only or the process is out of file
 * descriptors, {@link InternalException} otherwise.
 */
public final class Layers {
    private Layers() {}

    /** Applies {@code layer} (gzip, zstd or plain tar, detected) onto a snapshot's mounts. */
    public static ApplyResult apply(List<Mount> mounts, InputStream layer, ApplyOptions options) {
        if (mounts.isEmpty()) {
            throw new InvalidArgumentException("no mounts to apply the layer to");
        }
        if (mounts.size() == 1) {
            Mount m = mounts.getFirst();
            if (m.readOnly()) {
                throw new FailedPreconditionException("cannot apply a layer to read-only mounts (a view?)");
            }
            // With userxattr the kernel reads user.overlay.* markers, which the applier does not
            // write; such a mount is written through, like a foreign one.
            if (m.type().equals("overlay") && !m.options().contains("userxattr")) {
                String upper = OverlayLayout.option(m, "upperdir=");
                if (upper == null) {
                    throw new FailedPreconditionException("cannot apply a layer to an overlay mount without upperdir");
                }
                return applyTo(Path.of(upper), Whiteouts.OVERLAY, OverlayLayout.lowerdirs(m), layer, options);
            }
            if (m.type().equals("bind") || m.type().equals("rbind")) {
                Whiteouts w = options.overlayWhiteouts() ? Whiteouts.OVERLAY : Whiteouts.DELETE;
                return applyTo(Path.of(m.source()), w, List.of(), layer, options);
            }
        }
        try {
            return Mounter.withMounted(mounts, dir -> applyTo(dir, Whiteouts.DELETE, List.of(), layer, options));
        } catch (IOException e) {
            throw failure("mounting the snapshot", e);
        }
    }

    /**
     * Applies {@code layer} onto directory {@code dir}, whiteouts carried out as {@code whiteouts}
     * says; {@code parents} are the directories below an overlay upper directory, nearest first.
     */
    public static ApplyResult applyTo(Path dir, Whiteouts whiteouts, List<Path> parents, InputStream layer,
                                      ApplyOptions options) {
        List<RootDir> lowers = new ArrayList<>();
        try (RootDir root = RootDir.open(dir)) {
            for (Path p : parents) {
                lowers.add(RootDir.open(p.toRealPath()));
            }
            // Each stage is wrapped in a timer; a stage's own time is its timer minus the one below.
            TimedInputStream given = new TimedInputStream(new Progress(layer, options.progress()));
            HashingInputStream raw = new HashingInputStream(given);
            TimedInputStream hashed = new TimedInputStream(raw);
            DecompressingInputStream plain = Decompression.open(hashed);
            TimedInputStream inflated = new TimedInputStream(plain);
            boolean none = plain.compression() == Compression.NONE;
            // An uncompressed layer's digest is its DiffID: hash it once.
            HashingInputStream tarBytes = none ? raw : new HashingInputStream(inflated);
            TimedInputStream tarHashed = new TimedInputStream(none ? inflated : tarBytes);
            long entries;
            long started = System.nanoTime();
            long writer;
            LayerApplier applier = new LayerApplier(root, whiteouts, lowers, options.allowDevices());
            TimedInputStream stalled;
            try (ReadAhead ahead = new ReadAhead(tarHashed)) {
                stalled = new TimedInputStream(ahead);
                entries = applier.apply(new TarReader(stalled));
                writer = System.nanoTime() - started;
                // The DiffID covers the whole stream, padding after the end-of-archive blocks included;
                // once drained, the reader thread is done with the hashing streams.
                ahead.drain();
            }
            raw.drain();
            String digest = raw.digest();
            String diffId = tarBytes == raw ? digest : tarBytes.digest();
            ApplyStages stages = new ApplyStages(given.nanos(),
                    hashed.nanos() - given.nanos() + tarHashed.nanos() - inflated.nanos(),
                    inflated.nanos() - hashed.nanos(), applier.tarNanos() - stalled.nanos(),
                    writer - applier.tarNanos(), stalled.nanos());
            ApplyResult result = new ApplyResult(diffId, digest, plain.compression().toString(), raw.count(),
                    tarBytes.count(), entries, applier.implicitDirs(), stages);
            check("DiffID", options.expectedDiffId().orElse(null), result.diffId());
            check("digest", options.expectedDigest().orElse(null), result.digest());
            return result;
        } catch (IOException e) {
            throw failure("applying the layer to " + dir, e);
        } catch (UncheckedIOException e) {
            throw failure("applying the layer to " + dir, e.getCause());
        } finally {
            lowers.forEach(RootDir::close);
        }
    }

    /**
     * Gives the directories a layer made without entries ({@link ApplyResult#implicitDirs}) the
     * owner, mode and xattrs they would have had if the layer had been applied on the trees below
     * it: each takes those of the same directory in the nearest of {@code lowers} (nearest first)
     * that has the path, when there it is a directory; one no longer a directory in
     * {@code upper} is left alone. The parallel unpacker applies a layer before the layers below
     * it exist, and calls this once they do, before committing.
     */
    public static void adoptParentMetadata(Path upper, List<Path> lowers, List<String> implicitDirs) {
        if (implicitDirs.isEmpty() || lowers.isEmpty()) {
            return;
        }
        List<RootDir> parents = new ArrayList<>();
        try (RootDir root = RootDir.open(upper)) {
            for (Path p : lowers) {
                parents.add(RootDir.open(p.toRealPath()));
            }
            for (String dir : implicitDirs) {
                byte[] d = dir.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                Optional<io.strata.fs.Stat> st = root.lstat(d);
                if (st.isPresent() && st.get().isDirectory()) {
                    ParentDirs.copy(root, parents, d, false);
                }
            }
        } catch (IOException e) {
            throw failure("copying parent directory metadata to " + upper, e);
        } finally {
            parents.forEach(RootDir::close);
        }
    }

    /**
     * The directory a snapshot's mounts write to, where that is one directory of this host: the
     * upper directory of a single overlay mount, the source of a single bind mount.
     *
     * @throws FailedPreconditionException for any other mounts
     */
    public static Path writableDir(List<Mount> mounts) {
        if (mounts.size() == 1) {
            Mount m = mounts.getFirst();
            String upper = m.type().equals("overlay") ? OverlayLayout.option(m, "upperdir=") : null;
            if (upper != null) {
                return Path.of(upper);
            }
            Optional<Path> source = OverlayLayout.bindSource(mounts);
            if (source.isPresent()) {
                return source.get();
            }
        }
        throw new FailedPreconditionException("mounts " + mounts + " have no single writable directory");
    }

    /**
     * The directories below a single overlay mount's upper directory, nearest first (none for a
     * bind mount).
     */
    public static List<Path> lowerDirs(List<Mount> mounts) {
        if (mounts.size() == 1 && mounts.getFirst().type().equals("overlay")) {
            return OverlayLayout.lowerdirs(mounts.getFirst());
        }
        return List.of();
    }

    /**
     * syncfs(2) of the file system that holds {@code dir}: every layer applied there since is on
     * disk when this returns.
     */
    public static void syncfs(Path dir) {
        try {
            io.strata.fs.FileOps.syncfs(dir);
        } catch (IOException e) {
            throw failure("syncing the file system of " + dir, e);
        }
    }

    /**
     * Writes the layer that turns the tree of {@code lower} (empty list: nothing) into the tree of
     * {@code upper}, as containerd's diff service does, compressed as asked. When {@code upper} is
     * an overlay whose lower directories are exactly {@code lower}'s, its upper directory is read
     * directly; otherwise both are mounted read-only and compared. The output is deterministic:
     * the same trees give the same bytes.
     */
    public static DiffResult diff(List<Mount> lower, List<Mount> upper, OutputStream out, Compression compression) {
        try {
            Optional<Path> upperDir = OverlayLayout.upperOf(lower, upper);
            if (upperDir.isPresent()) {
                return diffOverlayUpper(upperDir.get(), out, compression);
            }
            Optional<Path> upperTree = OverlayLayout.bindSource(upper);
            Optional<Path> lowerTree = OverlayLayout.bindSource(lower);
            if (upperTree.isPresent() && (lower.isEmpty() || lowerTree.isPresent())) {
                return diffTrees(lowerTree, upperTree.get(), out, compression);
            }
            if (lower.isEmpty()) {
                return Mounter.withMounted(readOnly(upper), u -> diffTrees(Optional.empty(), u, out, compression));
            }
            return Mounter.withMounted(readOnly(lower), l -> Mounter.withMounted(readOnly(upper),
                    u -> diffTrees(Optional.of(l), u, out, compression)));
        } catch (IOException e) {
            throw failure("computing the diff", e);
        }
    }

    /** The layer held in an overlayfs upper directory: its entries, whiteouts and opaque markers. */
    public static DiffResult diffOverlayUpper(Path upperDir, OutputStream out, Compression compression) {
        return write(out, compression, differ -> {
            try (RootDir upper = RootDir.open(upperDir)) {
                differ.overlayUpper(upper);
            }
        });
    }

    /** The changes from tree {@code lower} (empty: no tree) to tree {@code upper}, by comparing both. */
    public static DiffResult diffTrees(Optional<Path> lower, Path upper, OutputStream out, Compression compression) {
        return write(out, compression, differ -> {
            try (RootDir u = RootDir.open(upper); RootDir l = lower.isPresent() ? RootDir.open(lower.get()) : null) {
                differ.compare(Optional.ofNullable(l), u);
            }
        });
    }

    private interface DiffWork {
        void run(LayerDiffer differ) throws IOException;
    }

    private static DiffResult write(OutputStream out, Compression compression, DiffWork work) {
        HashingOutputStream packed = new HashingOutputStream(out);
        OutputStream compressor = null;
        try {
            compressor = compression.compressor(packed);
            HashingOutputStream plain = new HashingOutputStream(new BufferedOutputStream(compressor, 256 * 1024));
            TarWriter tar = new TarWriter(plain);
            LayerDiffer differ = new LayerDiffer(tar);
            work.run(differ);
            tar.finish();
            plain.flush();
            // Closing the compressor writes its trailer through packed (which leaves out open).
            OutputStream c = compressor;
            compressor = null;
            c.close();
            packed.flush();
            return new DiffResult(packed.digest(), packed.count(), plain.digest(), plain.count(),
                    compression.toString(), compression.ociLayerMediaType(), differ.entries());
        } catch (IOException e) {
            throw failure("writing the layer", e);
        } finally {
            if (compressor != null) {
                try {
                    compressor.close();
                } catch (IOException ignored) {
                    // the first failure is the one reported
                }
            }
        }
    }

    private static List<Mount> readOnly(List<Mount> mounts) {
        List<Mount> out = new ArrayList<>();
        for (Mount m : mounts) {
            List<String> opts = new ArrayList<>();
            for (String o : m.options()) {
                if (!o.equals("rw") && !o.startsWith("upperdir=") && !o.startsWith("workdir=")) {
                    opts.add(o);
                }
            }
            if (!opts.contains("ro")) {
                opts.add("ro");
            }
            out.add(new Mount(m.type(), m.source(), m.target(), opts));
        }
        return out;
    }

    private static void check(String what, String expected, String actual) {
        if (expected != null && !expected.equals(actual)) {
            throw new InvalidArgumentException("layer " + what + " mismatch: expected " + expected + ", got " + actual);
        }
    }

    static StrataException failure(String doing, IOException e) {
        if (e instanceof TarFormatException) {
            return new InvalidArgumentException("invalid layer: " + e.getMessage(), e);
        }
        StrataException classified = io.strata.api.IoErrors.classify(doing, e);
        // A corrupt stream is the layer's fault, unless the environment's (a full disk) came first.
        if (e instanceof CorruptStreamException && classified instanceof io.strata.api.InternalException) {
            return new InvalidArgumentException("invalid layer: " + e.getMessage(), e);
        }
        return classified;
    }

    /** Tells a listener how many input bytes have been consumed. */
    private static final class Progress extends FilterInputStream {
        private final LongConsumer listener;
        private long count;

        Progress(InputStream in, LongConsumer listener) {
            super(in);
            this.listener = listener;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                listener.accept(++count);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
                listener.accept(count);
            }
            return n;
        }
    }
}
