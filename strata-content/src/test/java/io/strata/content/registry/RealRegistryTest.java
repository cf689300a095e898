package io.strata.content.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.NotFoundException;
import io.strata.content.ContentStore;
import io.strata.content.TestImages;
import io.strata.oci.Descriptor;
import io.strata.oci.MediaTypes;
import io.strata.oci.Platform;
import io.strata.oci.PlatformMatcher;
import io.strata.oci.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls from Debian's {@code docker-registry}, started on 127.0.0.1 with a random port and a temp
 * dir; images are built by the test and pushed with {@code skopeo}. Both are required (.ci/run
 * installs them): a missing binary fails the test rather than skipping it.
 */
class RealRegistryTest {
    @TempDir
    static Path tmp;
    static io.strata.testkit.LocalRegistry registry;
    static String host;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = io.strata.testkit.LocalRegistry.start(tmp.resolve("registry"));
        host = registry.host();
    }

    @AfterAll
    static void stopRegistry() throws InterruptedException {
        if (registry != null) {
            registry.close();
        }
    }

    private static void push(Path layout, String tag, String name, boolean all) throws Exception {
        registry.push(layout, tag, name, all);
    }

    private static void assertStored(ContentStore cs, TestImages.Built built, List<Descriptor> expectedBlobs)
            throws IOException {
        for (Descriptor d : expectedBlobs) {
            try (InputStream in = cs.open(d.digest())) {
                assertThat(in.readAllBytes()).as(d.digest()).isEqualTo(built.blobs().get(d.digest()));
            }
        }
    }

    @Test
    void pullsAMultiLayerImage() throws Exception {
        Path layout = tmp.resolve("single");
        var built = TestImages.ociLayout(layout, tmp.resolve("work-single"), "v1",
                List.of(Platform.parse("linux/amd64")), 3, 300_000);
        push(layout, "v1", "strata/single", false);
        var progress = new ConcurrentHashMap<String, Long>();
        try (ContentStore cs = ContentStore.open(tmp.resolve("store-single"))) {
            var puller = new Puller(RegistryClient.builder().build(), cs, Puller.DEFAULT_PARALLELISM);
            PullPlan plan = puller.pull(Reference.parse(host + "/strata/single:v1"), PlatformMatcher.host(),
                    (blob, bytes, total) -> progress.merge(blob.digest(), bytes, Math::max));
            assertThat(plan.target().digest()).isEqualTo(built.target().digest());
            var image = plan.images().getFirst();
            assertThat(image.layers()).hasSize(3);
            assertThat(image.config().diffIds()).hasSize(3);
            assertStored(cs, built, image.layers());
            assertStored(cs, built, List.of(image.configDescriptor(), image.manifest()));
            image.layers().forEach(l -> assertThat(progress).containsEntry(l.digest(), l.size()));
            // a second pull finds everything stored and downloads nothing
            progress.clear();
            puller.pull(Reference.parse(host + "/strata/single:v1"), PlatformMatcher.host(),
                    (blob, bytes, total) -> progress.put(blob.digest(), bytes));
            assertThat(progress).isEmpty();
        }
    }

    @Test
    void pullsAMultiPlatformIndex() throws Exception {
        Path layout = tmp.resolve("multi");
        var amd64 = Platform.parse("linux/amd64");
        var arm64 = Platform.parse("linux/arm64");
        var built = TestImages.ociLayout(layout, tmp.resolve("work-multi"), "v2", List.of(amd64, arm64), 2, 50_000);
        push(layout, "v2", "strata/multi", true);
        Reference ref = Reference.parse(host + "/strata/multi:v2");
        try (ContentStore cs = ContentStore.open(tmp.resolve("store-arm"))) {
            PullPlan plan = new Puller(RegistryClient.builder().build(), cs, 3)
                    .pull(ref, PlatformMatcher.only(arm64), PullListener.none());
            assertThat(plan.target().mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
            assertThat(plan.images()).singleElement().satisfies(i -> {
                assertThat(i.platform()).isEqualTo(arm64);
                assertThat(i.manifest().digest()).isEqualTo(built.manifests().get(1).digest());
            });
            assertStored(cs, built, plan.layers());
            // only the arm64 manifest, its config and layers were fetched, not the amd64 ones
            assertThat(cs.list()).hasSize(1 + 1 + 1 + 2); // index, manifest, config, 2 layers
        }
        try (ContentStore cs = ContentStore.open(tmp.resolve("store-all"))) {
            PullPlan plan = new Puller(RegistryClient.builder().build(), cs, 1)
                    .pull(ref, PlatformMatcher.all(), PullListener.none());
            assertThat(plan.images()).extracting(PullPlan.PlatformImage::platform).containsExactlyInAnyOrder(amd64, arm64);
            assertThat(plan.layers()).hasSize(4);
            assertStored(cs, built, plan.layers());
            assertThat(cs.info(plan.target().digest()).orElseThrow().labels())
                    .containsKeys("containerd.io/gc.ref.content.m.0", "containerd.io/gc.ref.content.m.1");
        }
    }

    @Test
    void unknownTagIsNotFound() {
        assertThatThrownBy(() -> RegistryClient.builder().build().resolve(Reference.parse(host + "/strata/nothing:here")))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("strata/nothing:here");
    }
}
