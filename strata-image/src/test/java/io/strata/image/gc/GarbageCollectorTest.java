package io.strata.image.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.NotFoundException;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import io.strata.image.meta.ImageRecord;
import io.strata.image.meta.Lease;
import io.strata.image.meta.MetadataStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mark and sweep over a real snapshotter and a content index, with containerd's gc labels. */
class GarbageCollectorTest {
    @TempDir
    Path dir;

    static String d(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    /** The content store's view, kept in memory for this test (the real store's adapter is one call each). */
    static final class Blobs implements GarbageCollector.Content {
        final Map<String, Map<String, String>> blobs = new TreeMap<>();

        @Override
        public Map<String, Map<String, String>> labelsByDigest() {
            return new HashMap<>(blobs);
        }

        @Override
        public void delete(String digest) {
            if (blobs.remove(digest) == null) {
                throw new NotFoundException(digest);
            }
        }
    }

    private static void lease(MetadataStore meta, String id, Map<String, String> labels, String digest) {
        meta.createLease("default", id, labels);
        meta.addLeaseResource("default", id, new Lease.Resource("content", digest));
    }

    private static List<String> keys(Snapshotter s) {
        List<String> out = new ArrayList<>();
        s.walk(i -> out.add(i.name()));
        return out;
    }

    @Test
    void keepsWhatImagesLeasesAndContainersNeedAndRemovesTheRest() {
        try (MetadataStore meta = MetadataStore.open(dir.resolve("meta.db"));
             Snapshotter s = Backends.open("overlayfs", dir.resolve("state"))) {
            Blobs content = new Blobs();
            content.blobs.put(d('a'), Map.of("containerd.io/gc.ref.content.m.0", d('b')));            // index
            content.blobs.put(d('b'), Map.of("containerd.io/gc.ref.content.config", d('c'),
                    "containerd.io/gc.ref.content.l.0", d('d'), "containerd.io/gc.ref.content.l.1", d('e'))); // manifest
            content.blobs.put(d('c'), Map.of("containerd.io/gc.ref.snapshot.overlayfs", "chain2"));   // config
            content.blobs.put(d('d'), Map.of());
            content.blobs.put(d('e'), Map.of());
            content.blobs.put(d('f'), Map.of());                                    // orphan
            content.blobs.put(d('0'), Map.of("containerd.io/gc.root", "now"));      // pinned
            content.blobs.put(d('9'), Map.of());                                    // leased
            s.prepare("x1", "");
            s.commit("chain1", "x1");
            s.prepare("x2", "chain1");
            s.commit("chain2", "x2");
            s.prepare("o1", "");
            s.commit("orphan", "o1");
            s.prepare("o2", "orphan");
            s.commit("orphan-child", "o2");
            s.prepare("extract-123 sha256:dead", "chain1");               // left by a crashed unpacker
            s.prepare("pinned-view-base", "", SnapshotOption.labels(Map.of("containerd.io/gc.root", "x")));
            meta.createImage("default", ImageRecord.of("app:1", "application/vnd.oci.image.index.v1+json", d('a'), 1, Map.of()));
            meta.createLease("default", "pull", Map.of());
            meta.addLeaseResource("default", "pull", new Lease.Resource("content", d('9')));

            GarbageCollector.Result dry = GarbageCollector.collect(meta, content, Map.of("overlayfs", s), true);
            assertThat(dry.content()).containsExactly(d('f'));
            assertThat(dry.snapshots()).containsEntry("overlayfs", List.of("extract-123 sha256:dead", "orphan", "orphan-child"));
            assertThat(content.blobs).hasSize(8);

            GarbageCollector.collect(meta, content, Map.of("overlayfs", s), false);
            assertThat(content.blobs.keySet()).containsExactlyInAnyOrder(d('a'), d('b'), d('c'), d('d'), d('e'), d('0'), d('9'));
            assertThat(keys(s)).containsExactlyInAnyOrder("chain1", "chain2", "pinned-view-base");

            // A container on the image keeps its chain after the image is gone.
            s.prepare("container-1", "chain2");
            meta.deleteImage("default", "app:1");
            meta.deleteLease("default", "pull");
            GarbageCollector.collect(meta, content, Map.of("overlayfs", s), false);
            assertThat(content.blobs.keySet()).containsExactly(d('0'));
            assertThat(keys(s)).containsExactlyInAnyOrder("chain1", "chain2", "container-1", "pinned-view-base");

            // Leases past containerd.io/gc.expire protect nothing and are removed; unparsable ones stay in force.
            content.blobs.put(d('7'), Map.of());
            content.blobs.put(d('8'), Map.of());
            content.blobs.put(d('6'), Map.of());
            lease(meta, "expired", Map.of(GarbageCollector.EXPIRE, "2020-01-01T00:00:00Z"), d('7'));
            lease(meta, "current", Map.of(GarbageCollector.EXPIRE, Instant.now().plusSeconds(3600).toString()), d('8'));
            lease(meta, "unparsable", Map.of(GarbageCollector.EXPIRE, "tomorrow"), d('6'));
            GarbageCollector.Result dryLeases = GarbageCollector.collect(meta, content, Map.of("overlayfs", s), true);
            assertThat(dryLeases.expiredLeases()).containsExactly("default/expired");
            assertThat(dryLeases.content()).containsExactly(d('7'));
            assertThat(meta.lease("default", "expired")).isPresent();
            GarbageCollector.Result leases = GarbageCollector.collect(meta, content, Map.of("overlayfs", s), false);
            assertThat(leases.expiredLeases()).containsExactly("default/expired");
            assertThat(meta.leases("default")).extracting(Lease::id).containsExactly("current", "unparsable");
            assertThat(content.blobs.keySet()).containsExactlyInAnyOrder(d('0'), d('8'), d('6'));
            meta.deleteLease("default", "current");
            meta.deleteLease("default", "unparsable");

            s.remove("container-1");
            GarbageCollector.Result last = GarbageCollector.collect(meta, content, Map.of("overlayfs", s), false);
            assertThat(last.snapshots()).containsEntry("overlayfs", List.of("chain1", "chain2"));
            assertThat(keys(s)).containsExactly("pinned-view-base");
        }
    }

    /** Snapshots are namespaced; content is shared: a reference from content counts in the namespace that reached it. */
    @Test
    void followsReferencesInTheNamespaceThatReachedThem() {
        try (MetadataStore meta = MetadataStore.open(dir.resolve("meta.db"));
             Snapshotter s = Backends.open("overlayfs", dir.resolve("state"))) {
            Blobs content = new Blobs();
            content.blobs.put(d('b'), Map.of("containerd.io/gc.ref.content.config", d('c')));       // manifest
            content.blobs.put(d('c'), Map.of("containerd.io/gc.ref.snapshot.overlayfs", "chain2"));  // config
            content.blobs.put(d('0'), Map.of("containerd.io/gc.root", "now", "containerd.io/gc.ref.snapshot.overlayfs", "pinned"));
            for (String ns : List.of("team-a/", "team-b/", "")) {                // "": a legacy store's keys, the default namespace's
                s.prepare(ns + "x1", "");
                s.commit(ns + "chain1", ns + "x1");
                s.prepare(ns + "x2", ns + "chain1");
                s.commit(ns + "chain2", ns + "x2");
                s.prepare(ns + "p", "");
                s.commit(ns + "pinned", ns + "p");
            }
            s.prepare("team-b/extract-1 sha256:dead", "team-b/chain1");          // a crashed unpack: not in use
            s.prepare("team-b/l", "");
            s.commit("team-b/leased", "team-b/l");
            meta.createImage("team-a", ImageRecord.of("app:1", "application/vnd.oci.image.manifest.v1+json", d('b'), 1, Map.of()));
            meta.createImage("default", ImageRecord.of("app:1", "application/vnd.oci.image.manifest.v1+json", d('b'), 1, Map.of()));
            meta.createLease("team-b", "unpack", Map.of());
            meta.addLeaseResource("team-b", "unpack", new Lease.Resource("snapshots/overlayfs", "leased"));

            GarbageCollector.Result r = GarbageCollector.collect(meta, content, Map.of("overlayfs", s), false);
            assertThat(r.snapshots()).containsEntry("overlayfs",
                    List.of("team-b/chain1", "team-b/chain2", "team-b/extract-1 sha256:dead"));
            assertThat(keys(s)).containsExactlyInAnyOrder("team-a/chain1", "team-a/chain2", "team-a/pinned",
                    "team-b/pinned", "team-b/leased", "chain1", "chain2", "pinned");
            assertThat(content.blobs).hasSize(3);

            // The default namespace's image gone, its legacy chain goes; team-a's stays with team-a's image.
            meta.deleteImage("default", "app:1");
            GarbageCollector.collect(meta, content, Map.of("overlayfs", s), false);
            assertThat(keys(s)).containsExactlyInAnyOrder("team-a/chain1", "team-a/chain2", "team-a/pinned",
                    "team-b/pinned", "team-b/leased", "pinned");
        }
    }
}
