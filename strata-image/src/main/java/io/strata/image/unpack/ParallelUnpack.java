package io.strata.image.unpack;

import io.strata.api.SnapshotOption;
import io.strata.archive.ApplyOptions;
import io.strata.archive.ApplyResult;
import io.strata.archive.Layers;
import io.strata.image.unpack.Unpacker.Extraction;
import io.strata.image.unpack.Unpacker.Layer;
import io.strata.image.unpack.Unpacker.Listener;
import io.strata.image.unpack.Unpacker.Outcome;
import io.strata.image.unpack.Unpacker.Steps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One parallel unpack of layers {@code first..} (see {@link Unpacker}): the first is prepared on
 * its committed parent, the others without one and applied with overlayfs whiteouts; then, in
 * order, metadata of implicit directories from the layers below, one syncfs, and commits that
 * rebase each layer onto the one below it. The extraction snapshots are owned here: whatever is
 * not committed is removed before {@link #run} returns or throws.
 */
final class ParallelUnpack {
    /** A layer applied and waiting for its commit. */
    private record Applied(Extraction snapshot, ApplyResult result, long started, long prepareNanos, long applyNanos) {
    }

    private final Unpacker unpacker;
    private final List<Layer> layers;
    private final List<String> chains;
    private final int first;
    private final int parallelism;
    private final Listener listener;
    /** The extraction snapshot of each layer once prepared, until committed (then null). */
    private final AtomicReferenceArray<String> keys;

    ParallelUnpack(Unpacker unpacker, List<Layer> layers, List<String> chains, int first, int parallelism,
                   Listener listener) {
        this.unpacker = unpacker;
        this.layers = layers;
        this.chains = chains;
        this.first = first;
        this.parallelism = parallelism;
        this.listener = listener;
        this.keys = new AtomicReferenceArray<>(layers.size());
    }

    List<Outcome> run() {
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, layers.size() - first),
                r -> Thread.ofPlatform().name("strata-unpack-" + threads.incrementAndGet()).unstarted(r));
        List<Future<Optional<Applied>>> applies = new ArrayList<>();
        List<Optional<Applied>> ready = new ArrayList<>();
        RuntimeException failure = null;
        try {
            for (int i = first; i < layers.size(); i++) {
                int index = i;
                listener.started(i, chains.get(i));
                applies.add(pool.submit(() -> applyOne(index)));
            }
            // The layers applied in order up to the first failure are committed; the rest are not.
            for (Future<Optional<Applied>> f : applies) {
                try {
                    ready.add(f.get());
                } catch (ExecutionException e) {
                    failure = e.getCause() instanceof RuntimeException re ? re
                            : new io.strata.api.InternalException("applying a layer: " + e.getCause(), e.getCause());
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = new io.strata.api.UnavailableException("unpacking was interrupted", e);
        } finally {
            if (failure != null) {
                applies.forEach(f -> f.cancel(true));
            }
            pool.shutdown();
            awaitQuietly(pool);
        }
        List<Outcome> outcomes = new ArrayList<>();
        try {
            commitAll(ready, outcomes);
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        } finally {
            for (int i = first; i < layers.size(); i++) {
                String key = keys.getAndSet(i, null);
                if (key != null) {
                    unpacker.discard(key);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return outcomes;
    }

    private Optional<Applied> applyOne(int i) {
        long start = System.nanoTime();
        Layer layer = layers.get(i);
        String chain = chains.get(i);
        String parentChain = i == 0 ? "" : chains.get(i - 1);
        // The first layer stacks on its committed parent now; the others are rebased at commit.
        Optional<Extraction> x = unpacker.prepare(chain, i == first ? parentChain : "",
                Unpacker.labels(layer, chain, parentChain));
        if (x.isEmpty()) {
            return Optional.empty();
        }
        keys.set(i, x.get().key());
        long prepared = System.nanoTime();
        ApplyResult result = Unpacker.apply(layer, x.get().mounts(),
                ApplyOptions.DEFAULTS.withOverlayWhiteouts(i > first));
        return Optional.of(new Applied(x.get(), result, start, prepared - start, System.nanoTime() - prepared));
    }

    /** Parent metadata, one syncfs, then commits in order, for the applied prefix {@code ready}. */
    private void commitAll(List<Optional<Applied>> ready, List<Outcome> outcomes) {
        List<Path> below = new ArrayList<>(); // the trees under the next layer, nearest first
        Optional<Path> fs = Optional.empty();
        for (int n = 0; n < ready.size(); n++) {
            Optional<Applied> a = ready.get(n);
            if (a.isEmpty()) {
                // Committed by another unpacker meanwhile: the layers above stack on its tree,
                // which this unpacker does not see; they keep the metadata they were applied with.
                below.clear();
                continue;
            }
            List<io.strata.api.Mount> mounts = a.get().snapshot().mounts();
            Path upper = Layers.writableDir(mounts);
            if (n == 0) {
                below.addAll(Layers.lowerDirs(mounts));
            } else {
                Layers.adoptParentMetadata(upper, below, a.get().result().implicitDirs());
            }
            below.addFirst(upper);
            fs = Optional.of(upper);
        }
        long synced = System.nanoTime();
        if (fs.isPresent()) {
            Layers.syncfs(fs.get());
            listener.synced(System.nanoTime() - synced);
        }
        for (int n = 0; n < ready.size(); n++) {
            int i = first + n;
            String chain = chains.get(i);
            Optional<Applied> a = ready.get(n);
            if (a.isEmpty()) {
                Outcome o = new Outcome(chain, Optional.empty(), 0, Steps.NONE);
                outcomes.add(o);
                listener.finished(i, o);
                continue;
            }
            String parentChain = i == 0 ? "" : chains.get(i - 1);
            Map<String, String> labels = Unpacker.labels(layers.get(i), chain, parentChain);
            long start = System.nanoTime();
            boolean mine = i == first ? unpacker.commit(chain, a.get().snapshot().key(), labels)
                    : unpacker.commit(chain, a.get().snapshot().key(), labels, SnapshotOption.parent(parentChain));
            keys.set(i, null);
            long end = System.nanoTime();
            Applied done = a.get();
            Outcome o = new Outcome(chain, mine ? Optional.of(done.result()) : Optional.empty(), end - done.started(),
                    new Steps(done.prepareNanos(), done.applyNanos(), end - start));
            outcomes.add(o);
            listener.finished(i, o);
        }
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                // a layer stream that ignores interrupts: keep waiting, its snapshot is ours to remove
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
