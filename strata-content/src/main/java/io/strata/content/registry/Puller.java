package io.strata.content.registry;

import io.strata.api.AlreadyExistsException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.NotFoundException;
import io.strata.api.StrataException;
import io.strata.api.UnavailableException;
import io.strata.content.ContentInfo;
import io.strata.content.ContentStore;
import io.strata.content.GcLabels;
import io.strata.content.Ingest;
import io.strata.oci.Descriptor;
import io.strata.oci.ImageConfig;
import io.strata.oci.ImageDocument;
import io.strata.oci.Index;
import io.strata.oci.Manifest;
import io.strata.oci.MediaTypes;
import io.strata.oci.Platform;
import io.strata.oci.PlatformMatcher;
import io.strata.oci.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Pulls an image from a registry into a {@link ContentStore}: target → index → manifests →
 * configs ({@link #plan}), then layers in parallel ({@link #fetchLayers}); {@link #pull} does both.
 *
 * <p>Guarantees: every blob is verified (size and digest) before it is committed; a blob already
 * in the store is not downloaded again; a partial blob left by an interrupted pull is resumed
 * (ingest refs are containerd's: {@code index-…}, {@code manifest-…}, {@code config-…},
 * {@code layer-…}); when another pull is writing the same blob, this one waits for it. Documents
 * get containerd's GC labels: an index {@code containerd.io/gc.ref.content.m.<i>} for each
 * selected child, a manifest {@code containerd.io/gc.ref.content.config} and
 * {@code containerd.io/gc.ref.content.l.<i>}. No image name is recorded (the metadata layer does it)
 * and nothing is unpacked; the {@link BlobSink.LayerTap} is the seam for unpacking while downloading.
 */
public final class Puller {
    /** containerd's default number of parallel layer downloads. */
    public static final int DEFAULT_PARALLELISM = 3;
    private static final Duration LOCKED_WAIT = Duration.ofMinutes(30);

    private final RegistryClient client;
    private final ContentStore store;
    private final int parallelism;

    /**
     * @param parallelism layer downloads at once, ≥ 1 ({@link #DEFAULT_PARALLELISM})
     */
    public Puller(RegistryClient client, ContentStore store, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, not " + parallelism);
        }
        this.client = client;
        this.store = store;
        this.parallelism = parallelism;
    }

    /** {@link #plan} then {@link #fetchLayers} with no tap. */
    public PullPlan pull(Reference ref, PlatformMatcher platforms, PullListener listener) throws IOException {
        PullPlan plan = plan(ref, platforms, listener);
        listener.planned(plan.layers());
        fetchLayers(plan, listener, BlobSink.LayerTap.none());
        return plan;
    }

    /**
     * Resolves {@code ref}, stores its index/manifests/configs for the platforms {@code platforms}
     * selects, and returns the layers still to fetch.
     *
     * @throws NotFoundException for an unknown reference, or when no manifest matches the platforms
     *     (the message lists those available)
     * @throws InvalidArgumentException for schema 1, a document that lies about its type, or a
     *     manifest whose layer count differs from its config's diff_ids
     */
    public PullPlan plan(Reference ref, PlatformMatcher platforms, PullListener listener) throws IOException {
        Descriptor target = client.resolve(ref);
        Reference pinned = ref.withDigest(target.digest());
        var images = new ArrayList<PullPlan.PlatformImage>();
        collect(pinned, target, platforms, listener, images, 0);
        return new PullPlan(pinned, target, images);
    }

    private void collect(Reference repo, Descriptor desc, PlatformMatcher platforms, PullListener listener,
                         List<PullPlan.PlatformImage> out, int depth) throws IOException {
        if (depth > 4) {
            throw new InvalidArgumentException(repo + ": indexes nested deeper than 4");
        }
        byte[] bytes = fetchDocument(repo, desc, listener);
        switch (ImageDocument.parse(desc.mediaType(), bytes)) {
            case Index idx -> {
                List<Descriptor> chosen = idx.select(platforms);
                if (!(platforms instanceof PlatformMatcher.All)) {
                    chosen = List.of(chosen.getFirst()); // the best match only, as containerd's default
                }
                var kept = new java.util.LinkedHashMap<Integer, String>();
                for (int i = 0; i < chosen.size(); i++) {
                    kept.put(i, chosen.get(i).digest());
                    collect(repo, chosen.get(i), platforms, listener, out, depth + 1);
                }
                addLabels(desc, GcLabels.index(kept));
            }
            case Manifest m -> {
                Descriptor cfgDesc = m.config();
                byte[] cfgBytes = fetchDocument(repo, cfgDesc, listener);
                ImageConfig cfg = ImageConfig.parse(cfgBytes);
                if (cfg.diffIds().size() != m.layers().size()) {
                    throw new InvalidArgumentException(repo + ": manifest " + desc.digest() + " has " + m.layers().size()
                            + " layers but its config has " + cfg.diffIds().size() + " diff_ids");
                }
                Platform p = desc.platform().orElse(cfg.platform());
                if (depth == 0 && !platforms.matches(p)) {
                    throw new NotFoundException(repo + " is an image for " + p + " only, which the requested platform"
                            + " does not match");
                }
                addLabels(desc, GcLabels.manifest(cfgDesc.digest(), m.layers().stream().map(Descriptor::digest).toList()));
                out.add(new PullPlan.PlatformImage(p, desc, cfgDesc, cfg, m.layers()));
            }
        }
    }

    private void addLabels(Descriptor desc, Map<String, String> labels) {
        ContentInfo info = store.info(desc.digest()).orElseThrow();
        var merged = new HashMap<>(info.labels());
        merged.putAll(labels);
        if (!merged.equals(info.labels())) {
            store.updateLabels(desc.digest(), merged);
        }
    }

    private byte[] fetchDocument(Reference repo, Descriptor desc, PullListener listener) throws IOException {
        if (desc.size() > ImageDocument.MAX_SIZE) {
            throw new InvalidArgumentException(desc.digest() + ": " + desc.size() + " bytes is too large for a "
                    + desc.mediaType());
        }
        storeBlob(repo, desc, listener, BlobSink.LayerTap.none());
        try (InputStream in = store.open(desc.digest())) {
            return in.readAllBytes();
        }
    }

    /**
     * Downloads every layer of {@code plan} not yet stored, {@code parallelism} at a time. Returns
     * when all are committed; on the first failure the others are cancelled (their partial data is
     * kept for a resumed pull) and that failure is thrown.
     */
    public void fetchLayers(PullPlan plan, PullListener listener, BlobSink.LayerTap tap) throws IOException {
        fetchLayers(plan, plan.layers(), listener, tap);
    }

    /** As {@link #fetchLayers(PullPlan, PullListener, BlobSink.LayerTap)}, for only {@code layers} of the plan. */
    public void fetchLayers(PullPlan plan, List<Descriptor> layers, PullListener listener, BlobSink.LayerTap tap)
            throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, Thread.ofPlatform().daemon()
                .name("strata-pull-", 0).factory());
        try {
            var futures = new ArrayList<Future<?>>();
            for (Descriptor layer : layers) {
                futures.add(pool.submit(() -> {
                    storeBlob(plan.reference(), layer, listener, tap);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    futures.forEach(o -> o.cancel(true));
                    switch (e.getCause()) {
                        case IOException io -> throw io;
                        case RuntimeException re -> throw re;
                        default -> throw new IOException(e.getCause());
                    }
                } catch (InterruptedException e) {
                    futures.forEach(o -> o.cancel(true));
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void storeBlob(Reference repo, Descriptor desc, PullListener listener, BlobSink.LayerTap tap)
            throws IOException {
        long deadline = System.nanoTime() + LOCKED_WAIT.toNanos();
        while (true) {
            if (store.info(desc.digest()).isPresent()) {
                listener.done(desc);
                return;
            }
            Ingest w;
            try {
                w = store.writer(refKey(desc), desc.size(), Optional.of(desc.digest()));
            } catch (AlreadyExistsException e) {
                continue; // committed meanwhile: the loop's head reports it
            } catch (UnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(); // another pull is writing it; wait for its commit
                continue;
            }
            download(repo, desc, w, listener, tap.open(desc));
            return;
        }
    }

    private void download(Reference repo, Descriptor desc, Ingest w, PullListener listener, Optional<BlobSink> sink)
            throws IOException {
        try (w) {
            OutputStream tee = OutputStream.nullOutputStream();
            if (sink.isPresent()) {
                BlobSink s = sink.get();
                if (w.offset() > 0) {
                    try (InputStream prefix = w.openWritten()) {
                        byte[] buf = new byte[1 << 16];
                        long left = w.offset();
                        int n;
                        while (left > 0 && (n = prefix.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                            s.write(buf, 0, n);
                            left -= n;
                        }
                    }
                }
                tee = new OutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        s.write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        s.write(b, off, len);
                    }
                };
            }
            listener.progress(desc, w.offset(), desc.size());
            client.download(repo, desc, w, tee, off -> listener.progress(desc, off, desc.size()));
            ContentInfo info;
            try {
                info = w.commit(Map.of());
            } catch (AlreadyExistsException e) {
                info = store.info(desc.digest()).orElseThrow(() -> e);
            }
            ContentInfo committed = info;
            sink.ifPresent(s -> s.complete(committed));
            listener.done(desc);
        } catch (IOException | StrataException | UncheckedIOException e) {
            sink.ifPresent(s -> s.failed(e));
            throw e;
        }
    }

    /** containerd's {@code remotes.MakeRefKey}. */
    static String refKey(Descriptor desc) {
        String t = desc.mediaType();
        String prefix = MediaTypes.isIndex(t) ? "index-" : MediaTypes.isManifest(t) ? "manifest-"
                : MediaTypes.isConfig(t) ? "config-" : MediaTypes.isLayer(t) ? "layer-" : "unknown-";
        return prefix + desc.digest();
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while another pull held the blob", e);
        }
    }
}
