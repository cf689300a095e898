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
 * {@code extract-<unique> <chainID>} is prepared, the layer applied with its DiffID (and compressed
 * digest) checked in the same pass, and the snapshot committed as the chain ID. <em>Already
 * exists</em> at commit means another unpacker won the race: the extraction snapshot is removed
 * and the layer counts as done. Any failure removes the extraction snapshots, so nothing
 * half-applied is ever committed and nothing is left behind.
 *
 * <p>On a snapshotter with the {@link Snapshotter#REBASE} capability the layers are applied in
 * parallel, as containerd 2.2's unpacker does: each is prepared without a parent and applied with
 * overlayfs whiteouts; once all are applied, the directories a layer made without entries get the
 * metadata of the layers below, one syncfs puts everything on disk, and the layers are committed in
 * order, each onto the one below. A layer that fails commits nothing of itself or of the layers
 * above it; those below are committed. Elsewhere the layers are applied in order, each on its parent.
 *
 * <p>A {@link LayerSource} may block until its bytes arrive, so a caller can feed a layer while it
 * downloads. Thread-safe: several unpackers may run on one snapshotter at once.
 */
public final class Unpacker {
    /** containerd's labels on extraction snapshots. */
    public static final String LABEL_REF = "containerd.io/snapshot.ref";
    public static final String LABEL_DIFF_ID = "containerd.io/snapshot/diff-id";
    public static final String LABEL_PARENT_CHAIN = "containerd.io/snapshot/parent-chain-id";

    private static final System.Logger LOG = System.getLogger(Unpacker.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Snapshotter snapshotter;
    private final int parallelism;

    /** An unpacker applying up to as many layers at once as there are cores (at least two). */
    public Unpacker(Snapshotter snapshotter) {
        this(snapshotter, Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    /** An unpacker applying up to {@code parallelism} layers at once (1: always in order). */
    public Unpacker(Snapshotter snapshotter, int parallelism) {
        if (parallelism < 1) {
            throw new InvalidArgumentException("unpack parallelism must be at least 1, not " + parallelism);
        }
        this.snapshotter = snapshotter;
        this.parallelism = parallelism;
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

    /**
     * Where one layer's time went, in nanoseconds (0 for a step not taken): preparing its snapshot,
     * applying it (waiting for its bytes included, see {@link ApplyResult#stages}), and committing
     * it (the backend's own flush and usage walk included).
     */
    public record Steps(long prepare, long apply, long commit) {
        static final Steps NONE = new Steps(0, 0, 0);
    }

    /**
     * What happened to one layer: skipped (already committed), or applied with its result.
     * {@code nanos} runs from the layer's start to its commit.
     */
    public record Outcome(String chainId, Optional<ApplyResult> applied, long nanos, Steps steps) {
    }

    /**
     * Told as each layer starts and ends, on the unpacking thread, in layer order. With parallel
     * apply, {@code started} comes when the layer is queued, {@code finished} once it is committed.
     */
    public interface Listener {
        default void started(int index, String chainId) {}

        default void finished(int index, Outcome outcome) {}

        /** A parallel unpack's one syncfs, after every layer is applied and before the first commit. */
        default void synced(long nanos) {}
    }

    /** Unpacks {@code layers} and returns the outcome per layer; the last chain ID is the image's top. */
    public List<Outcome> unpack(List<Layer> layers, Listener listener) {
        List<String> chains = ChainIds.of(layers.stream().map(Layer::diffId).toList());
        List<Outcome> outcomes = new ArrayList<>();
        int first = 0;
        while (first < layers.size() && committed(chains.get(first))) {
            // A committed chain's parents are committed too: only a prefix can be skipped.
            listener.started(first, chains.get(first));
            Outcome o = new Outcome(chains.get(first), Optional.empty(), 0, Steps.NONE);
            outcomes.add(o);
            listener.finished(first, o);
            first++;
        }
        if (layers.size() - first > 1 && parallelism > 1 && snapshotter.capabilities().contains(Snapshotter.REBASE)) {
            outcomes.addAll(new ParallelUnpack(this, layers, chains, first, parallelism, listener).run());
            return outcomes;
        }
        for (int i = first; i < layers.size(); i++) {
            long start = System.nanoTime();
            String chain = chains.get(i);
            listener.started(i, chain);
            Outcome o = unpackOne(layers.get(i), chain, i == 0 ? "" : chains.get(i - 1), start);
            outcomes.add(o);
            listener.finished(i, o);
        }
        return outcomes;
    }

    public List<Outcome> unpack(List<Layer> layers) {
        return unpack(layers, new Listener() {});
    }

    Snapshotter snapshotter() {
        return snapshotter;
    }

    /**
     * How many of an image's layers, from the bottom, are unpacked already: the length of the
     * prefix of {@code diffIds} whose chain IDs are committed snapshots. Those layers need not be
     * fetched (containerd's unpacker skips them too).
     */
    public int committedPrefix(List<String> diffIds) {
        List<String> chains = ChainIds.of(diffIds);
        int n = 0;
        while (n < chains.size() && committed(chains.get(n))) {
            n++;
        }
        return n;
    }

    boolean committed(String chain) {
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

    /** containerd's labels for the extraction snapshot of {@code chain}, and for its commit. */
    static Map<String, String> labels(Layer layer, String chain, String parentChain) {
        Map<String, String> labels = new HashMap<>(layer.labels());
        labels.put(LABEL_REF, chain);
        labels.put(LABEL_DIFF_ID, layer.diffId());
        if (!parentChain.isEmpty()) {
            labels.put(LABEL_PARENT_CHAIN, parentChain);
        }
        return labels;
    }

    /** An extraction snapshot: its key and mounts. */
    record Extraction(String key, List<Mount> mounts) {
    }

    /** Prepares an extraction snapshot for {@code chain} on {@code parent}; empty if another unpacker committed it. */
    Optional<Extraction> prepare(String chain, String parent, Map<String, String> labels) {
        for (int attempt = 1; ; attempt++) {
            String key = "extract-" + unique() + " " + chain;
            try {
                return Optional.of(new Extraction(key, snapshotter.prepare(key, parent, SnapshotOption.labels(labels))));
            } catch (AlreadyExistsException e) {
                if (committed(chain)) {
                    return Optional.empty(); // another unpacker finished this layer meanwhile
                }
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** Applies {@code layer} to {@code mounts}, its digests checked; failures name the layer. */
    static ApplyResult apply(Layer layer, List<Mount> mounts, ApplyOptions options) {
        try (InputStream in = layer.source().open()) {
            return Layers.apply(mounts, in, options.withExpectedDiffId(layer.diffId()).withExpectedDigest(layer.digest()));
        } catch (IOException e) {
            throw new io.strata.api.UnavailableException("reading layer " + layer.digest() + ": " + e.getMessage(), e);
        } catch (InvalidArgumentException e) {
            // The layer's bytes are wrong (not a tar, a digest that does not match, a hostile
            // path): name the layer, which the applier does not know.
            throw new InvalidArgumentException("layer " + layer.digest() + ": " + e.getMessage(), e);
        }
    }

    /** Removes an extraction snapshot that will not be committed; a failure to is only logged. */
    void discard(String key) {
        try {
            snapshotter.remove(key);
        } catch (NotFoundException gone) {
            // never made, or already removed
        } catch (StrataException cleanup) {
            LOG.log(System.Logger.Level.WARNING, () -> "could not remove extraction snapshot " + cleanup.getMessage());
        }
    }

    private Outcome unpackOne(Layer layer, String chain, String parent, long start) {
        Map<String, String> labels = labels(layer, chain, parent);
        Optional<Extraction> x = prepare(chain, parent, labels);
        long prepared = System.nanoTime();
        if (x.isEmpty()) {
            return new Outcome(chain, Optional.empty(), prepared - start, new Steps(prepared - start, 0, 0));
        }
        String key = x.get().key();
        boolean done = false;
        try {
            ApplyResult result = apply(layer, x.get().mounts(), ApplyOptions.DEFAULTS);
            long applied = System.nanoTime();
            boolean mine = commit(chain, key, labels);
            done = true;
            long end = System.nanoTime();
            Steps steps = new Steps(prepared - start, applied - prepared, end - applied);
            return new Outcome(chain, mine ? Optional.of(result) : Optional.empty(), end - start, steps);
        } finally {
            if (!done) {
                discard(key);
            }
        }
    }

    /**
     * Commits {@code key} as {@code chain}; false (and the key removed) when another unpacker
     * committed the chain first.
     */
    boolean commit(String chain, String key, Map<String, String> labels, SnapshotOption... more) {
        SnapshotOption[] options = new SnapshotOption[more.length + 1];
        options[0] = SnapshotOption.labels(labels);
        System.arraycopy(more, 0, options, 1, more.length);
        try {
            snapshotter.commit(chain, key, options);
            return true;
        } catch (AlreadyExistsException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "layer " + chain + " was committed by another unpacker");
            discard(key);
            return false;
        }
    }

    private static String unique() {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        return System.nanoTime() + "-" + HexFormat.of().formatHex(b);
    }
}
