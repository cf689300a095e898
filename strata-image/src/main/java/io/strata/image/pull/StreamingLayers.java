package io.strata.image.pull;

import io.strata.content.ContentStore;
import io.strata.content.registry.BlobSink;
import io.strata.content.registry.PullListener;
import io.strata.content.registry.PullPlan;
import io.strata.content.registry.Puller;
import io.strata.oci.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The bytes of an image's layers for the unpacker while a {@link Puller} downloads them: a layer
 * being downloaded is read through a {@link LayerPipe} as it arrives; one already in the store (or
 * stored by another pull meanwhile) is read from the store once it is there. One object per pull.
 */
public final class StreamingLayers {
    private final ContentStore store;
    private final Map<String, CompletableFuture<Optional<LayerPipe>>> feeds = new ConcurrentHashMap<>();
    private volatile Throwable fetchFailure;

    public StreamingLayers(ContentStore store, List<Descriptor> layers) {
        this.store = store;
        for (Descriptor l : layers) {
            feeds.putIfAbsent(l.digest(), new CompletableFuture<>());
        }
    }

    /** Downloads {@code layers} of the plan, teeing this image's layers into pipes; run on a thread of its own. */
    public void fetch(Puller puller, PullPlan plan, List<Descriptor> layers, PullListener listener) {
        PullListener done = new PullListener() {
            @Override
            public void progress(Descriptor blob, long bytes, long total) {
                listener.progress(blob, bytes, total);
            }

            @Override
            public void done(Descriptor blob) {
                CompletableFuture<Optional<LayerPipe>> f = feeds.get(blob.digest());
                if (f != null) {
                    f.complete(Optional.empty()); // stored: read it from the store
                }
                listener.done(blob);
            }
        };
        BlobSink.LayerTap tap = layer -> {
            CompletableFuture<Optional<LayerPipe>> f = feeds.get(layer.digest());
            if (f == null || f.isDone()) {
                return Optional.empty();
            }
            LayerPipe pipe = new LayerPipe();
            return f.complete(Optional.of(pipe)) ? Optional.of(pipe) : Optional.empty();
        };
        java.util.Set<String> fetched = new java.util.HashSet<>();
        layers.forEach(l -> fetched.add(l.digest()));
        // A layer left out is unpacked already; should the unpacker still ask for it, it reads the store.
        feeds.forEach((digest, f) -> {
            if (!fetched.contains(digest)) {
                f.complete(Optional.empty());
            }
        });
        try {
            puller.fetchLayers(plan, layers, done, tap);
        } catch (Throwable t) {
            fetchFailure = t;
            feeds.values().forEach(f -> f.completeExceptionally(t));
        }
    }

    /** The bytes of layer {@code digest}; blocks until its download starts or it is stored. */
    public InputStream open(String digest) throws IOException {
        CompletableFuture<Optional<LayerPipe>> f = feeds.get(digest);
        try {
            Optional<LayerPipe> pipe = f.get();
            if (pipe.isPresent()) {
                // A second layer with the same digest reads the store once the first has it there.
                feeds.put(digest, CompletableFuture.completedFuture(Optional.empty()));
                return pipe.get().input();
            }
            return store.open(digest);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for layer " + digest);
        } catch (ExecutionException e) {
            throw new IOException("downloading layer " + digest + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The unpacker will not read layer {@code digest}: let its download run on without a reader. */
    public void skip(String digest) {
        CompletableFuture<Optional<LayerPipe>> f = feeds.get(digest);
        // Not started yet: no pipe will be made for it. Started: drop what it writes.
        if (f != null && !f.complete(Optional.empty()) && !f.isCompletedExceptionally()) {
            f.join().ifPresent(LayerPipe::abandon);
        }
    }

    /** Stops every pipe's reader side (the unpacker is done, or failed). */
    public void abandonAll() {
        feeds.keySet().forEach(this::skip);
    }

    /**
     * Throws the download's failure, if any, once the unpacker has finished. A failed download ends
     * its layer's stream with an I/O error that the applier reports as its own (an internal error
     * about a snapshot directory), so when the unpacker failed too the download's failure is the
     * cause to report, and {@code unpackFailure} is attached to it as suppressed.
     */
    public void rethrow(Optional<RuntimeException> unpackFailure) throws IOException {
        Throwable t = fetchFailure;
        if (t == null) {
            return;
        }
        unpackFailure.filter(u -> u != t).ifPresent(t::addSuppressed);
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        throw new IOException(t);
    }
}
