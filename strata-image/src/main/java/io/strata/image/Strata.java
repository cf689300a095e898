package io.strata.image;

import io.strata.api.InternalException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Mount;
import io.strata.api.NotFoundException;
import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import io.strata.content.ContentStore;
import io.strata.content.importer.ImageEntry;
import io.strata.content.importer.Importer;
import io.strata.content.registry.Credentials;
import io.strata.content.registry.PullListener;
import io.strata.content.registry.PullPlan;
import io.strata.content.registry.Puller;
import io.strata.content.registry.RegistryClient;
import io.strata.events.Event;
import io.strata.events.EventJournal;
import io.strata.image.gc.GarbageCollector;
import io.strata.image.meta.ImageRecord;
import io.strata.image.meta.Lease;
import io.strata.image.meta.MetadataStore;
import io.strata.image.pull.StreamingLayers;
import io.strata.image.unpack.Unpacker;
import io.strata.oci.Descriptor;
import io.strata.oci.PlatformMatcher;
import io.strata.oci.Reference;
import io.strata.service.SnapshotService;
import io.strata.service.StoredKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Strata as a library: from an image (imported or pulled) to a mounted root file system.
 *
 * <pre>{@code
 * try (Strata strata = Strata.open(Path.of("/var/lib/strata"))) {
 *     ImageRecord img = strata.importArchive("default", Path.of("app.oci.tar"), Optional.of("app:1")).getFirst();
 *     List<Mount> rootfs = strata.rootfs("default", img.name(), "overlayfs", "app-1", false);
 *     Mounter.mountAll(rootfs, Path.of("/run/app-1/rootfs"));
 * }
 * }</pre>
 *
 * <p>Layout under the root: {@code content/} (blobs by digest), {@code metadata/meta.db} (images and
 * leases by namespace), {@code events/journal.db} (the events every process on the root
 * publishes), and one directory per snapshotter as {@link Backends} opens them. Content
 * written by an import or a pull is held by a lease until its image record is stored, so a
 * concurrent {@link #gc} cannot take it. Thread-safe.
 *
 * <p>Registry credentials: by default, from the Docker config the environment names
 * ({@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}), read again at each pull
 * so that a login made meanwhile counts; {@link #open(Path, Function)} takes a lookup instead.
 */
public final class Strata implements AutoCloseable {
    public static final String DEFAULT_NAMESPACE = io.strata.api.Namespaces.DEFAULT;
    private static final System.Logger LOG = System.getLogger(Strata.class.getName());
    private static final java.time.Duration LEASE_LIFETIME = java.time.Duration.ofHours(24);

    private final Path root;
    private final ContentStore content;
    private final MetadataStore metadata;
    private final EventJournal events;
    private final Map<String, Snapshotter> snapshotters = new HashMap<>();
    private final SnapshotService service;
    private final ImageLabels imageLabels;
    private final CredentialSource credentials;

    /** Where a pull's registry credentials come from; asked once per pull. */
    @FunctionalInterface
    private interface CredentialSource {
        Function<String, Optional<Credentials>> lookup() throws IOException;
    }

    private Strata(Path root, ContentStore content, MetadataStore metadata, EventJournal events,
                   CredentialSource credentials) {
        this.root = root;
        this.content = content;
        this.metadata = metadata;
        this.events = events;
        this.service = new SnapshotService(this::snapshotter, events);
        this.imageLabels = new ImageLabels(content);
        this.credentials = credentials;
    }

    /**
     * Opens (creating if needed) the state under {@code root}; pulls use the credentials of the
     * environment's Docker config.
     */
    public static Strata open(Path root) {
        CredentialSource fromEnvironment = Credentials::dockerConfig;
        return openWith(root, fromEnvironment);
    }

    /**
     * Opens (creating if needed) the state under {@code root}; pulls use {@code credentials}, a
     * lookup by registry host ({@code host:port}, {@code docker.io}), for example
     * {@link Credentials#dockerConfig(Path)} of a given file.
     */
    public static Strata open(Path root, Function<String, Optional<Credentials>> credentials) {
        Objects.requireNonNull(credentials, "credentials");
        return openWith(root, () -> credentials);
    }

    private static Strata openWith(Path root, CredentialSource credentials) {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new InternalException("cannot create " + root + ": " + e.getMessage(), e);
        }
        EventJournal events = EventJournal.openIn(root);
        MetadataStore meta = MetadataStore.open(root.resolve("metadata/meta.db"), events);
        return new Strata(root, ContentStore.open(root.resolve("content")), meta, events, credentials);
    }

    public ContentStore content() {
        return content;
    }

    public MetadataStore metadata() {
        return metadata;
    }

    /** The events of this state root: what the library, the CLI and the daemon changed. */
    public EventJournal events() {
        return events;
    }

    /**
     * The snapshotter {@code name} (overlayfs, native, block) with its keys as stored, every
     * namespace's ({@code <namespace>/<key>}, see {@link StoredKeys}); opened on first use and
     * shared, and changes made through it publish no events. Closed with this object; do not close it.
     */
    public synchronized Snapshotter snapshotter(String name) {
        return snapshotters.computeIfAbsent(name, n -> Backends.open(n, root));
    }

    /**
     * The snapshotter {@code name} as namespace {@code ns} sees it: only that namespace's keys, as
     * containerd isolates them, and its prepares, commits and removes published as containerd's
     * snapshot events in {@code ns}. Closing it is not needed; the backend closes with this object.
     */
    public Snapshotter snapshotter(String ns, String name) {
        return service.snapshotter(ns, name);
    }

    /**
     * Imports an OCI layout (directory or tar) or a {@code docker save} archive and records its
     * images in {@code ns}. An image the archive does not name gets {@code name} (when the archive
     * holds one image) or is skipped.
     */
    public List<ImageRecord> importArchive(String ns, Path archive, Optional<String> name) {
        String lease = lease(ns);
        try {
            List<ImageEntry> entries = Importer.importArchive(archive, content);
            List<ImageRecord> out = new ArrayList<>();
            for (ImageEntry e : entries) {
                Optional<String> n = e.name().or(() -> entries.size() == 1 ? name : Optional.empty());
                if (n.isEmpty()) {
                    continue;
                }
                metadata.addLeaseResource(ns, lease, new Lease.Resource("content", e.target().digest()));
                imageLabels.tree(e.target());
                out.add(metadata.putImage(ns, ImageRecord.of(n.get(), e.target().mediaType(), e.target().digest(),
                        e.target().size(), Map.of())));
            }
            if (out.isEmpty()) {
                throw new InvalidArgumentException("archive " + archive + " names no image; give one with a name");
            }
            return out;
        } catch (IOException e) {
            throw new InvalidArgumentException("cannot import " + archive + ": " + e.getMessage(), e);
        } finally {
            endLease(ns, lease);
        }
    }

    /** Pulls the image {@code request} names from its registry into the content store and records it. */
    public ImageRecord pull(PullRequest request, PullListener listener) {
        String ns = request.namespace();
        Reference ref = request.reference();
        String lease = lease(ns);
        try (RegistryClient client = client(request)) {
            PullPlan plan = new Puller(client, content, request.parallelism()).pull(ref, request.platforms(), listener);
            metadata.addLeaseResource(ns, lease, new Lease.Resource("content", plan.target().digest()));
            return metadata.putImage(ns, ImageRecord.of(ref.toString(), plan.target().mediaType(), plan.target().digest(),
                    plan.target().size(), Map.of()));
        } catch (IOException e) {
            throw new io.strata.api.UnavailableException("pulling " + ref + ": " + e.getMessage(), e);
        } finally {
            endLease(ns, lease);
        }
    }

    /**
     * Unpacks image {@code name} of {@code ns} for the best platform match into {@code snapshotter};
     * returns the chain ID of its top layer. Layers already unpacked are skipped.
     */
    public String unpack(String ns, String name, String snapshotter, PlatformMatcher platforms, Unpacker.Listener listener) {
        ImageRecord img = image(ns, name);
        ResolvedImage r = ResolvedImage.of(content, name, Descriptor.of(img.mediaType(), img.digest(), img.size()), platforms);
        List<Unpacker.Layer> layers = new ArrayList<>();
        List<String> diffIds = r.config().diffIds();
        if (diffIds.size() != r.manifest().layers().size()) {
            throw new InvalidArgumentException("image " + name + ": manifest has " + r.manifest().layers().size()
                    + " layers but its config " + diffIds.size() + " diff_ids");
        }
        for (int i = 0; i < diffIds.size(); i++) {
            Descriptor layer = r.manifest().layers().get(i);
            layers.add(new Unpacker.Layer(layer.digest(), diffIds.get(i), () -> content.open(layer.digest())));
        }
        List<Unpacker.Outcome> outcomes = new Unpacker(snapshotter(ns, snapshotter)).unpack(layers, listener);
        String top = outcomes.isEmpty() ? "" : outcomes.getLast().chainId();
        imageLabels.unpacked(r.manifest().config().digest(), r.manifest().layers(), diffIds, snapshotter, top);
        return top;
    }

    /**
     * Pulls {@code reference} and unpacks it into {@code snapshotter} at the same time: each layer
     * is applied as it downloads (its bytes teed to the applier while the content store keeps its
     * copy), later layers keep downloading meanwhile, and layers already stored or unpacked are
     * taken from the store or skipped. Returns the image record; the chain is unpacked on return.
     */
    public ImageRecord pullAndUnpack(PullRequest request, PullListener listener, String snapshotter,
                                     Unpacker.Listener unpackListener) {
        String ns = request.namespace();
        Reference ref = request.reference();
        String lease = lease(ns);
        try (RegistryClient client = client(request)) {
            Puller puller = new Puller(client, content, request.parallelism());
            PullPlan plan = puller.plan(ref, request.platforms(), listener);
            metadata.addLeaseResource(ns, lease, new Lease.Resource("content", plan.target().digest()));
            PullPlan.PlatformImage image = plan.images().getFirst();
            listener.planned(image.layers());
            StreamingLayers streams = new StreamingLayers(content, image.layers());
            Unpacker unpacker = new Unpacker(snapshotter(ns, snapshotter));
            List<Descriptor> toFetch = plan.layersBeyond(image, unpacker.committedPrefix(image.config().diffIds()));
            Thread fetcher = Thread.ofPlatform().name("strata-pull").start(() -> streams.fetch(puller, plan, toFetch, listener));
            String top = "";
            Optional<RuntimeException> unpackFailure = Optional.empty();
            try {
                List<Unpacker.Layer> layers = new ArrayList<>();
                for (int i = 0; i < image.layers().size(); i++) {
                    Descriptor layer = image.layers().get(i);
                    layers.add(new Unpacker.Layer(layer.digest(), image.config().diffIds().get(i), () -> streams.open(layer.digest())));
                }
                List<Unpacker.Outcome> outcomes = unpacker.unpack(layers, new Unpacker.Listener() {
                    @Override
                    public void started(int index, String chainId) {
                        unpackListener.started(index, chainId);
                    }

                    @Override
                    public void finished(int index, Unpacker.Outcome outcome) {
                        if (outcome.applied().isEmpty()) {
                            streams.skip(image.layers().get(index).digest());
                        }
                        unpackListener.finished(index, outcome);
                    }

                    @Override
                    public void synced(long nanos) {
                        unpackListener.synced(nanos);
                    }
                });
                top = outcomes.isEmpty() ? "" : outcomes.getLast().chainId();
            } catch (RuntimeException e) {
                unpackFailure = Optional.of(e);
            } finally {
                streams.abandonAll();
                fetcher.join();
            }
            streams.rethrow(unpackFailure);
            if (unpackFailure.isPresent()) {
                throw unpackFailure.get();
            }
            ImageRecord rec = metadata.putImage(ns, ImageRecord.of(ref.toString(), plan.target().mediaType(),
                    plan.target().digest(), plan.target().size(), Map.of()));
            imageLabels.unpacked(image.configDescriptor().digest(), image.layers(), image.config().diffIds(), snapshotter, top);
            if (request.discardUnpackedLayers()) {
                imageLabels.discardLayers(image.manifest().digest());
            }
            return rec;
        } catch (IOException e) {
            throw new io.strata.api.UnavailableException("pulling " + ref + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.strata.api.UnavailableException("pulling " + ref + ": interrupted", e);
        } finally {
            endLease(ns, lease);
        }
    }

    /**
     * Lets the next GC free the layer blobs of image {@code name} for {@code platforms}, whose chain
     * is unpacked in {@code snapshotter}: what a pull with {@link PullRequest#discardUnpackedLayers}
     * does, for an image imported or pulled before. The snapshots stay; a later pull or import of
     * the image fetches only what is not unpacked.
     *
     * @throws io.strata.api.FailedPreconditionException if the image is not unpacked there: its layers would be lost
     */
    public void discardUnpackedLayers(String ns, String name, String snapshotter, PlatformMatcher platforms) {
        ImageRecord img = image(ns, name);
        ResolvedImage r = ResolvedImage.of(content, name, Descriptor.of(img.mediaType(), img.digest(), img.size()), platforms);
        List<String> diffIds = r.config().diffIds();
        if (new Unpacker(snapshotter(ns, snapshotter)).committedPrefix(diffIds) < diffIds.size()) {
            throw new io.strata.api.FailedPreconditionException("image \"" + name + "\" is not unpacked in " + snapshotter
                    + ": its layer blobs are still the only copy of its layers");
        }
        imageLabels.discardLayers(r.manifestDescriptor().digest());
    }

    private RegistryClient client(PullRequest request) throws IOException {
        RegistryClient.Builder b = RegistryClient.builder().credentials(credentials.lookup());
        request.plainHttpHosts().forEach(b::plainHttp);
        return b.build();
    }

    /**
     * Prepares (or, with {@code view}, views) snapshot {@code key} on the image's unpacked top
     * layer, unpacking first if needed, and returns its mounts; this host's platform of an index.
     */
    public List<Mount> rootfs(String ns, String name, String snapshotter, String key, boolean view) {
        return rootfs(ns, name, snapshotter, key, view, PlatformMatcher.host());
    }

    /** As {@link #rootfs(String, String, String, String, boolean)}, for the best match of {@code platforms}. */
    public List<Mount> rootfs(String ns, String name, String snapshotter, String key, boolean view, PlatformMatcher platforms) {
        String top = unpack(ns, name, snapshotter, platforms, new Unpacker.Listener() {});
        Snapshotter sn = snapshotter(ns, snapshotter);
        return view ? sn.view(key, top) : sn.prepare(key, top);
    }

    public ImageRecord image(String ns, String name) {
        return metadata.image(ns, name).orElseThrow(() -> new NotFoundException("image \"" + name + "\": not found"));
    }

    /**
     * Removes content and snapshots no image, lease or in-use snapshot needs, in all namespaces
     * (content is shared by them; a snapshot counts as referenced in the namespace whose image or
     * lease reached it). Removed content is published as {@code /content/delete} in the
     * {@value #DEFAULT_NAMESPACE} namespace, a removed snapshot as {@code /snapshot/remove} in its own.
     */
    public GarbageCollector.Result gc(boolean dryRun) {
        Map<String, Snapshotter> present = new LinkedHashMap<>();
        for (String n : Backends.NAMES) {
            if (Files.isDirectory(root.resolve(n))) {
                present.put(n, service.acrossNamespaces(n));
            }
        }
        return GarbageCollector.collect(metadata, new GarbageCollector.Content() {
            @Override
            public Map<String, Map<String, String>> labelsByDigest() {
                Map<String, Map<String, String>> out = new HashMap<>();
                content.list().forEach(i -> out.put(i.digest(), i.labels()));
                return out;
            }

            @Override
            public void delete(String digest) {
                content.delete(digest);
                events.publish(DEFAULT_NAMESPACE, new Event.ContentDelete(digest));
            }
        }, present, dryRun);
    }

    @Override
    public synchronized void close() {
        snapshotters.values().forEach(Snapshotter::close);
        content.close();
        metadata.close();
        events.close();
    }

    /**
     * Ends a pull's or import's lease. A failure (a full disk) is logged, not thrown: it must not
     * hide the operation's own outcome, and the lease only keeps content from GC until removed.
     */
    private void endLease(String ns, String lease) {
        try {
            metadata.deleteLease(ns, lease);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "lease {0} in namespace {1} not removed: {2}", lease, ns, e.getMessage());
        }
    }

    private String lease(String ns) {
        String id = "strata-" + UUID.randomUUID();
        // Like containerd's client leases: if this process dies before ending it, GC drops it a day later.
        metadata.createLease(ns, id, Map.of(GarbageCollector.EXPIRE,
                java.time.Instant.now().plus(LEASE_LIFETIME).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()));
        return id;
    }
}
