package io.strata.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.events.Envelope;
import io.strata.events.Event;
import io.strata.events.Subscription;
import io.strata.image.gc.GarbageCollector;
import io.strata.image.meta.ImageRecord;
import io.strata.testkit.OciArchive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the library publishes, in order, for an image's life: import, unpack, a container, deletion, GC. */
class StrataEventsTest {
    @TempDir
    Path work;

    @Test
    void anImagesLifeIsPublishedAsContainerdWould() throws Exception {
        Path layer = Files.createDirectories(work.resolve("layer/etc"));
        Files.writeString(layer.resolve("hostname"), "box\n");
        Path archive = OciArchive.build(work, "example.com/app:1", List.of(work.resolve("layer")), List.of("/bin/sh"));

        try (Strata strata = Strata.open(work.resolve("state"))) {
            List<Envelope> seen = new ArrayList<>();
            GarbageCollector.Result gc;
            try (Subscription sub = strata.events().subscribe(strata.events().latest(), e -> true)) {
                ImageRecord img = strata.importArchive("team-a", archive, Optional.empty()).getFirst();
                strata.rootfs("team-a", img.name(), "native", "c1", false);
                strata.importArchive("team-a", archive, Optional.empty());
                strata.snapshotter("team-a", "native").remove("c1");
                strata.metadata().deleteImage("team-a", img.name());
                gc = strata.gc(false);
                assertThat(gc.content()).hasSize(3);
                for (Optional<Envelope> e = sub.next(Duration.ZERO); e.isPresent(); e = sub.next(Duration.ZERO)) {
                    seen.add(e.get());
                }
            }
            assertThat(strata.content().list()).isEmpty();

            List<String> topics = seen.stream().map(Envelope::topic).toList();
            assertThat(topics).containsExactly(
                    "/images/create",
                    "/snapshot/prepare", "/snapshot/commit",       // the layer, as extract-… then its chain ID
                    "/snapshot/prepare",                           // the container c1
                    "/images/update",                              // imported again
                    "/snapshot/remove",                            // c1
                    "/images/delete",
                    "/snapshot/remove",                            // GC: the layer's chain
                    "/content/delete", "/content/delete", "/content/delete");
            // GC's snapshot removal is team-a's, as the snapshot; content is shared and its deletion default's.
            assertThat(seen.subList(0, 8)).allSatisfy(e -> assertThat(e.namespace()).isEqualTo("team-a"));
            assertThat(seen.subList(8, 11)).allSatisfy(e -> assertThat(e.namespace()).isEqualTo(Strata.DEFAULT_NAMESPACE));

            Event.SnapshotPrepare extract = (Event.SnapshotPrepare) seen.get(1).event();
            Event.SnapshotCommit commit = (Event.SnapshotCommit) seen.get(2).event();
            assertThat(extract.key()).startsWith("extract-");
            assertThat(extract.parent()).isEmpty();
            assertThat(extract.snapshotter()).isEqualTo("native");
            assertThat(commit.key()).isEqualTo(extract.key());
            assertThat(commit.name()).startsWith("sha256:");
            assertThat(seen.get(3).event()).isEqualTo(new Event.SnapshotPrepare("c1", commit.name(), "native"));
            assertThat(seen.get(0).event()).isEqualTo(new Event.ImageCreate("example.com/app:1", Map.of()));
            assertThat(seen.get(6).event()).isEqualTo(new Event.ImageDelete("example.com/app:1"));
            assertThat(seen.get(7).event()).isEqualTo(new Event.SnapshotRemove(commit.name(), "native"));
            assertThat(seen.subList(8, 11)).extracting(e -> ((Event.ContentDelete) e.event()).digest())
                    .containsExactlyInAnyOrderElementsOf(gc.content());
        }
    }
}
