package io.strata.image.unpack;

import io.strata.api.AlreadyExistsException;
import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Kind;
import io.strata.api.Mount;
import io.strata.api.NotFoundException;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.api.StrataException;
import io.strata.archive.ApplyOptions;
import io.strata.archive.ApplyResult;
import io.strata.archive.Layers;
import io.strata.oci.ChainIds;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns an image's layers into committed snapshots named by their chain IDs, as containerd's
 * unpacker does: a chain ID already committed is skipped (and its layer never opened); otherwise
 * {@code extract-<unique> <chainID>} is prepared on the parent chain, the layer applied with its
 * DiffID (and compressed digest) checked in the same pass, and the snapshot committed as the chain
 * ID. <em>Already exists</em> at commit means another unpacker won the race: the extraction
 * snapshot is removed and the layer counts as done. Any failure removes the extraction snapshot,
 * so nothing half-applied is ever committed and nothing is left behind.
 *
 * <p>Layers are applied in order (each needs its parent); a {@link LayerSource} may block until
 * its bytes arrive, so a caller can feed a layer while it downloads and fetch later layers
 * meanwhile. Thread-safe: several unpackers may run on one snapshotter at once.
 */
public final class Unpacker {
    /** containerd's labels on extraction snapshots. */
    public static final String LABEL_REF = "containerd.io/snapshot.ref";
    public static final String LABEL_DIFF_ID = "containerd.io/snapshot/diff-id";
    public static final String LABEL_PARENT_CHAIN = "containerd.io/snapshot/parent-chain-id";

    private static final System.Logger LOG = System.getLogger(Unpacker.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Snapshotter snapshotter;

    public Unpacker(Snapshotter snapshotter) {
        this.snapshotter = snapshotter;
    }

    /** Opens a layer's bytes (compressed as stored); called at most once per layer, only if needed. */
    @FunctionalInterface
    public interface LayerSource {
        InputStream open() throws IOException;
    }

    /**
     * One layer of an image.
     *
     * @param digest  the compressed digest from the manifest, checked while applying
     * @param diffId  the DiffID from the image config, checked while applying
     * @param labels  extra snapshot labels (containerd passes inherited annotations)
     */
    public record Layer(String digest, String diffId, Map<String, String> labels, LayerSource source) {
        public Layer {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }

        public Layer(String digest, String diffId, LayerSource source) {
            this(digest, diffId, Map.of(), source);
        }
    }

    /** What happened to one layer: skipped (already committed), or applied with its result. */
    public record Outcome(String chainId, Optional<ApplyResult> applied, long nanos) {
    }

    /** Told as each layer starts and ends. */
    public interface Listener {
        default void started(int index, String chainId) {}

        default void finished(int index, Outcome outcome) {}
    }

    /** Unpacks {@code layers} and returns the outcome per layer; the last chain ID is the image's top. */
    public List<Outcome> unpack(List<Layer> layers, Listener listener) {
        List<String> chains = ChainIds.of(layers.stream().map(Layer::diffId).toList());
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            long start = System.nanoTime();
            String chain = chains.get(i);
            listener.started(i, chain);
            Optional<ApplyResult> applied = committed(chain) ? Optional.empty()
                    : unpackOne(layers.get(i), chain, i == 0 ? "" : chains.get(i - 1));
            Outcome o = new Outcome(chain, applied, System.nanoTime() - start);
            outcomes.add(o);
            listener.finished(i, o);
        }
        return outcomes;
    }

    public List<Outcome> unpack(List<Layer> layers) {
        return unpack(layers, new Listener() {});
    }

    private boolean committed(String chain) {
        try {
            Info info = snapshotter.stat(chain);
            if (info.kind() != Kind.COMMITTED) {
                throw new io.strata.api.FailedPreconditionException("snapshot " + chain
                        + " exists but is not committed (" + info.kind() + ")");
            }
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private Optional<ApplyResult> unpackOne(Layer layer, String chain, String parent) {
        Map<String, String> labels = new HashMap<>(layer.labels());
        labels.put(LABEL_REF, chain);
        labels.put(LABEL_DIFF_ID, layer.diffId());
        if (!parent.isEmpty()) {
            labels.put(LABEL_PARENT_CHAIN, parent);
        }
        String key = null;
        List<Mount> mounts = null;
        for (int attempt = 1; mounts == null; attempt++) {
            key = "extract-" + unique() + " " + chain;
            try {
                mounts = snapshotter.prepare(key, parent, SnapshotOption.labels(labels));
            } catch (AlreadyExistsException e) {
                if (committed(chain)) {
                    return Optional.empty(); // another unpacker finished this layer meanwhile
                }
                if (attempt == 3) {
                    throw e;
                }
            }
        }
        boolean done = false;
        try {
            ApplyResult result;
            try (InputStream in = layer.source().open()) {
                result = Layers.apply(mounts, in, ApplyOptions.DEFAULTS.withExpectedDiffId(layer.diffId())
                        .withExpectedDigest(layer.digest()));
            } catch (IOException e) {
                throw new io.strata.api.UnavailableException("reading layer " + layer.digest() + ": " + e.getMessage(), e);
            } catch (InvalidArgumentException e) {
                // The layer's bytes are wrong (not a tar, a digest that does not match, a hostile
                // path): name the layer, which the applier does not know.
                throw new InvalidArgumentException("layer " + layer.digest() + ": " + e.getMessage(), e);
            }
            try {
                snapshotter.commit(chain, key, SnapshotOption.labels(labels));
                done = true;
            } catch (AlreadyExistsException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "layer " + chain + " was committed by another unpacker");
                return Optional.empty();
            }
            return Optional.of(result);
        } finally {
            if (!done) {
                try {
                    snapshotter.remove(key);
                } catch (StrataException cleanup) {
                    LOG.log(System.Logger.Level.WARNING, () -> "could not remove extraction snapshot " + cleanup.getMessage());
                }
            }
        }
    }

    private static String unique() {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        return System.nanoTime() + "-" + HexFormat.of().formatHex(b);
    }
}
