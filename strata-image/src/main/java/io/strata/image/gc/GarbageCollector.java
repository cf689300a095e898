package io.strata.image.gc;

import io.strata.api.Info;
import io.strata.api.Kind;
import io.strata.api.NotFoundException;
import io.strata.api.FailedPreconditionException;
import io.strata.api.Snapshotter;
import io.strata.content.GcLabels;
import io.strata.service.StoredKeys;
import io.strata.image.meta.ImageRecord;
import io.strata.image.meta.Lease;
import io.strata.image.meta.MetadataStore;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Mark and sweep over content and snapshots, with containerd's labels.
 *
 * <p>Roots: every image's target, the resources of every lease not past its
 * {@code containerd.io/gc.expire} time (expired leases are removed), content and snapshots labelled
 * {@code containerd.io/gc.root}, and every active or view snapshot that is not an extraction
 * left behind ({@code extract-…}): in Strata's own stack those are containers' file systems, which
 * containerd would protect through its container records. From the roots, references are followed
 * along {@code containerd.io/gc.ref.content.*} labels (to content) and
 * {@code containerd.io/gc.ref.snapshot.<snapshotter>} labels (to snapshots), on content and on
 * snapshots alike, and from every snapshot to its parent. Everything not reached is removed:
 * snapshots leaves first, then content.
 */
public final class GarbageCollector {
    public static final String ROOT = GcLabels.ROOT;
    public static final String REF_CONTENT = GcLabels.REF_CONTENT;
    public static final String REF_SNAPSHOT = GcLabels.REF_SNAPSHOT;
    /** A lease label: an RFC 3339 time after which the lease protects nothing and GC removes it. */
    public static final String EXPIRE = GcLabels.EXPIRE;

    /** The content store as the collector sees it. */
    public interface Content {
        /** Every blob's digest and labels. */
        Map<String, Map<String, String>> labelsByDigest();

        void delete(String digest);
    }

    /**
     * What a collection removed (or, in a dry run, would remove): content by digest, snapshots by
     * snapshotter, and expired leases as {@code namespace/id}.
     */
    public record Result(List<String> content, Map<String, List<String>> snapshots, List<String> expiredLeases, Duration took) {
    }

    private GarbageCollector() {}

    /** Collects; with {@code dryRun} only reports. {@code snapshotters} by containerd name. */
    public static Result collect(MetadataStore meta, Content content, Map<String, Snapshotter> snapshotters, boolean dryRun) {
        long start = System.nanoTime();
        Instant now = Instant.now();
        List<LeaseRef> expiredLeases = new ArrayList<>();
        Map<String, Map<String, String>> blobs = content.labelsByDigest();
        Map<String, Map<String, Info>> snaps = new LinkedHashMap<>();
        for (Map.Entry<String, Snapshotter> s : snapshotters.entrySet()) {
            Map<String, Info> infos = new HashMap<>();
            s.getValue().walk(i -> infos.put(i.name(), i));
            snaps.put(s.getKey(), infos);
        }

        Set<String> liveContent = new HashSet<>();
        Set<String> followedIn = new HashSet<>(); // "<digest> <namespace>" already followed
        Map<String, Set<String>> liveSnaps = new HashMap<>();
        snaps.keySet().forEach(k -> liveSnaps.put(k, new HashSet<>()));
        // {"content", digest, namespace or null} or {"snapshot", snapshotter, stored key}. Content is
        // shared by the namespaces; a reference from it to a snapshot names the snapshot in the
        // namespace that reached it (an image's or a lease's), or in every namespace from a gc.root blob.
        Deque<String[]> work = new ArrayDeque<>();

        for (String ns : meta.namespaces()) {
            for (ImageRecord img : meta.images(ns)) {
                work.add(new String[] {"content", img.digest(), ns});
            }
            for (Lease lease : meta.leases(ns)) {
                if (expired(lease, now)) {
                    expiredLeases.add(new LeaseRef(ns, lease.id()));
                    continue;
                }
                for (Lease.Resource r : lease.resources()) {
                    if (r.type().equals("content")) {
                        work.add(new String[] {"content", r.id(), ns});
                    } else if (r.type().startsWith("snapshots/")) {
                        String sn = r.type().substring("snapshots/".length());
                        stored(snaps.get(sn), ns, r.id()).forEach(k -> work.add(new String[] {"snapshot", sn, k}));
                    }
                }
            }
        }
        blobs.forEach((d, labels) -> {
            if (labels.containsKey(ROOT)) {
                work.add(new String[] {"content", d, null});
            }
        });
        snaps.forEach((sn, infos) -> infos.values().forEach(i -> {
            boolean inUse = i.kind() != Kind.COMMITTED && !StoredKeys.nameOf(i.name()).startsWith("extract-");
            if (inUse || i.labels().containsKey(ROOT)) {
                work.add(new String[] {"snapshot", sn, i.name()});
            }
        }));

        while (!work.isEmpty()) {
            String[] item = work.poll();
            Map<String, String> labels;
            String ns;
            if (item[0].equals("content")) {
                ns = item[2];
                // Content reached from several namespaces is followed once per namespace.
                liveContent.add(item[1]);
                if (!followedIn.add(item[1] + " " + ns)) {
                    continue;
                }
                labels = blobs.getOrDefault(item[1], Map.of());
            } else {
                Map<String, Info> infos = snaps.get(item[1]);
                if (infos == null || !liveSnaps.get(item[1]).add(item[2])) {
                    continue;
                }
                Info info = infos.get(item[2]);
                if (info == null) {
                    continue;
                }
                ns = StoredKeys.namespaceOf(item[2]);
                labels = info.labels();
                info.parent().ifPresent(p -> work.add(new String[] {"snapshot", item[1], p}));
            }
            for (Map.Entry<String, String> l : labels.entrySet()) {
                if (l.getKey().startsWith(REF_CONTENT)) {
                    work.add(new String[] {"content", l.getValue(), ns});
                } else if (l.getKey().startsWith(REF_SNAPSHOT)) {
                    String sn = l.getKey().substring(REF_SNAPSHOT.length());
                    stored(snaps.get(sn), ns, l.getValue()).forEach(k -> work.add(new String[] {"snapshot", sn, k}));
                }
            }
        }

        Map<String, List<String>> removedSnaps = new TreeMap<>();
        for (Map.Entry<String, Map<String, Info>> s : snaps.entrySet()) {
            List<String> dead = new ArrayList<>();
            s.getValue().keySet().stream().filter(k -> !liveSnaps.get(s.getKey()).contains(k)).sorted().forEach(dead::add);
            if (!dead.isEmpty()) {
                removedSnaps.put(s.getKey(), dead);
                if (!dryRun) {
                    removeLeavesFirst(snapshotters.get(s.getKey()), s.getValue(), new HashSet<>(dead));
                }
            }
        }
        List<String> removedContent = blobs.keySet().stream().filter(d -> !liveContent.contains(d)).sorted().toList();
        if (!dryRun) {
            for (String d : removedContent) {
                try {
                    content.delete(d);
                } catch (NotFoundException gone) {
                    // removed meanwhile
                }
            }
        }
        if (!dryRun) {
            for (LeaseRef l : expiredLeases) {
                try {
                    meta.deleteLease(l.namespace(), l.id());
                } catch (NotFoundException gone) {
                    // removed meanwhile
                }
            }
        }
        return new Result(removedContent, removedSnaps, expiredLeases.stream().map(LeaseRef::toString).toList(), Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * The stored keys that snapshot {@code name} of namespace {@code ns} may be: its prefixed key,
     * or in the default namespace its legacy key; with no namespace, the name in every namespace.
     */
    private static List<String> stored(Map<String, Info> infos, String ns, String name) {
        if (infos == null) {
            return List.of();
        }
        if (ns == null) {
            return infos.keySet().stream().filter(k -> StoredKeys.nameOf(k).equals(name)).toList();
        }
        return List.of(StoredKeys.existing(ns, name, infos::containsKey));
    }

    private record LeaseRef(String namespace, String id) {
        @Override
        public String toString() {
            return namespace + "/" + id;
        }
    }

    // As containerd: a label that does not parse leaves the lease in force.
    private static boolean expired(Lease lease, Instant now) {
        String at = lease.labels().get(EXPIRE);
        if (at == null) {
            return false;
        }
        try {
            return now.isAfter(OffsetDateTime.parse(at).toInstant());
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** A snapshot with children cannot be removed: remove the dead ones whose children are all gone, until none are left. */
    private static void removeLeavesFirst(Snapshotter sn, Map<String, Info> infos, Set<String> dead) {
        while (!dead.isEmpty()) {
            Set<String> parents = new HashSet<>();
            for (Info i : infos.values()) {
                i.parent().ifPresent(parents::add);
            }
            List<String> leaves = dead.stream().filter(k -> !parents.contains(k)).toList();
            if (leaves.isEmpty()) {
                throw new FailedPreconditionException("garbage collection found a cycle among snapshots " + dead);
            }
            for (String k : leaves) {
                try {
                    sn.remove(k);
                } catch (NotFoundException gone) {
                    // removed meanwhile
                }
                dead.remove(k);
                infos.remove(k);
            }
        }
    }
}
