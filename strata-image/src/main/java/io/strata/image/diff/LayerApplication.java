package io.strata.image.diff;

import io.strata.api.FailedPreconditionException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Mount;
import io.strata.api.UnimplementedException;
import io.strata.archive.ApplyOptions;
import io.strata.archive.ApplyResult;
import io.strata.archive.Layers;
import io.strata.codec.compress.Compression;
import io.strata.oci.Descriptor;
import io.strata.oci.MediaTypes;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * What containerd's differ does on {@code Apply}: reads the layer blob a descriptor names from
 * containerd's content store and applies it onto a snapshot's mounts, returning the descriptor of
 * the uncompressed layer (its digest is the DiffID).
 *
 * <p>Guarantees, in this order, before anything is written: a media type that is no layer Strata
 * applies (encrypted, {@code +lz4}, not a layer at all) is {@link UnimplementedException}, so that
 * containerd's diff service tries its next differ; mounts outside the {@link MountScope} are
 * {@link InvalidArgumentException}; a missing blob is {@link io.strata.api.NotFoundException}; a
 * stored blob of another size than the descriptor's, or whose first bytes are in another
 * compression than its media type says, is {@link InvalidArgumentException}. While applying, the
 * blob's digest is checked against the descriptor's: a mismatch fails the call with
 * {@link InvalidArgumentException} and leaves the snapshot, partly written, for containerd to remove
 * (as its own differ does). Nothing is written outside the mounts. With {@code syncFs} the file
 * system holding the snapshot is synced before the call returns.
 */
public final class LayerApplication implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LayerApplication.class.getName());

    private final ContentDirectory directory;
    private final Optional<BlobSource> api;
    private final MountScope scope;

    /**
     * Reads blobs from {@code directory} where it is {@linkplain ContentDirectory#usable usable},
     * else through {@code api} (containerd's Content API), and writes only within {@code scope}.
     */
    public LayerApplication(ContentDirectory directory, Optional<BlobSource> api, MountScope scope) {
        this.directory = directory;
        this.api = api;
        this.scope = scope;
    }

    /**
     * Applies {@code layer} onto {@code mounts}.
     *
     * @param payloads  whether the request carried stream-processor payloads (decryption keys)
     * @param namespace the caller's containerd namespace, when it sent one (containerd 2.1 does not)
     */
    public Descriptor apply(Descriptor layer, List<Mount> mounts, boolean payloads, boolean syncFs,
                            Optional<String> namespace) {
        long started = System.nanoTime();
        if (!MediaTypes.isLayer(layer.mediaType())) {
            throw new UnimplementedException("media type " + layer.mediaType() + " of " + layer.digest()
                    + " is no layer Strata applies" + (payloads ? " (it needs a stream processor)" : ""));
        }
        Compression declared = Compression.fromMediaType(layer.mediaType());
        // Docker's bare rootfs.diff.tar is known to label compressed blobs: containerd sniffs those.
        boolean sniff = declared == Compression.NONE && MediaTypes.base(layer.mediaType()).startsWith("application/vnd.docker.");
        scope.check(mounts);
        BlobSource source = source();
        ApplyResult r;
        try (BufferedInputStream blob = new BufferedInputStream(source.open(layer, namespace), 64 * 1024)) {
            if (!sniff) {
                checkCompression(layer, declared, blob);
            }
            r = Layers.apply(mounts, blob, ApplyOptions.DEFAULTS.withExpectedDigest(layer.digest()));
        } catch (IOException e) {
            throw io.strata.api.IoErrors.classify("reading blob " + layer.digest() + " from " + source.describe(), e);
        }
        if (r.compressedSize() != layer.size()) {
            throw new InvalidArgumentException("blob " + layer.digest() + " has " + r.compressedSize()
                    + " bytes, its descriptor says " + layer.size());
        }
        if (syncFs) {
            Layers.syncfs(hostDir(mounts));
        }
        LOG.log(System.Logger.Level.DEBUG, "applied {0} ({1}, {2} bytes) from {3}: DiffID {4}, {5} entries, {6} ms",
                layer.digest(), layer.mediaType(), layer.size(), source.describe(), r.diffId(), r.entries(),
                (System.nanoTime() - started) / 1_000_000);
        return Descriptor.of(MediaTypes.OCI_LAYER, r.diffId(), r.size());
    }

    private BlobSource source() {
        if (directory.usable()) {
            return directory;
        }
        return api.orElseThrow(() -> new FailedPreconditionException(directory.describe()
                + " cannot be read and no containerd address is configured to read blobs through"));
    }

    private static void checkCompression(Descriptor layer, Compression declared, BufferedInputStream blob)
            throws IOException {
        blob.mark(Compression.MAGIC_LENGTH);
        byte[] head = blob.readNBytes(Compression.MAGIC_LENGTH);
        blob.reset();
        Compression found = Compression.detect(head, head.length);
        if (found != declared) {
            throw new InvalidArgumentException("blob " + layer.digest() + " has media type " + layer.mediaType()
                    + " but its bytes are " + (found == Compression.NONE ? "not " + declared : found.toString())
                    + " (first bytes: " + (head.length == 0 ? "none" : HexFormat.ofDelimiter(" ").formatHex(head)) + ")");
        }
    }

    /** A directory of the file system the snapshot lives on, to sync. */
    private static Path hostDir(List<Mount> mounts) {
        try {
            return Layers.writableDir(mounts);
        } catch (FailedPreconditionException notOne) {
            Path source = Path.of(mounts.getFirst().source());
            return mounts.getFirst().options().contains("loop") ? source.getParent() : source;
        }
    }

    /** Closes the Content API client, if it is one that holds a connection. */
    @Override
    public void close() {
        if (api.isPresent() && api.get() instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + api.get().describe() + " failed: " + e);
            }
        }
    }
}
