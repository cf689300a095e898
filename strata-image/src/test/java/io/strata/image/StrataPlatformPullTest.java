package io.strata.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.NotFoundException;
import io.strata.content.ContentInfo;
import io.strata.content.registry.PullListener;
import io.strata.oci.Platform;
import io.strata.oci.PlatformMatcher;
import io.strata.testkit.GnuTarReference;
import io.strata.testkit.ImageLayout.LayerSpec;
import io.strata.testkit.ImageLayout;
import io.strata.testkit.LocalRegistry;
import io.strata.testkit.RegistryExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A multi-platform index (linux/amd64, linux/arm64/v8, linux/arm/v7; a shared base layer and one
 * layer per platform) pushed to Debian's docker-registry with skopeo, pulled through the library
 * with platform selection: the host's by default, another one when asked, and a clear error for a
 * platform the index does not have.
 */
class StrataPlatformPullTest {
    private static final List<String> PLATFORMS = List.of("linux/amd64", "linux/arm64/v8", "linux/arm/v7");

    @RegisterExtension
    static final RegistryExtension REGISTRY = new RegistryExtension();
    @TempDir
    static Path shared;
    static String ref;
    static final Map<Platform, ImageLayout.Image> IMAGES = new LinkedHashMap<>();
    static final Map<Platform, Path> EXPECTED = new LinkedHashMap<>();

    @TempDir
    Path work;

    @BeforeAll
    static void pushIndex() throws Exception {
        LocalRegistry registry = REGISTRY.registry();
        Path base = Files.createDirectories(shared.resolve("src/base/etc"));
        Files.writeString(base.resolve("os-release"), "ID=strata-test\n");
        ImageLayout layout = ImageLayout.create(shared.resolve("layout"), shared.resolve("tars"));
        for (String p : PLATFORMS) {
            Path own = Files.createDirectories(shared.resolve("src/" + p.replace('/', '-') + "/etc"));
            Files.writeString(own.resolve("platform"), p + "\n");
            Files.writeString(own.resolve("os-release"), "ID=strata-test\nARCH=" + p + "\n");
            ImageLayout.Image image = layout.image(p, List.of(LayerSpec.gzip(base.getParent()), LayerSpec.zstd(own.getParent())),
                    List.of("/bin/sh"));
            IMAGES.put(Platform.parse(p), image);
            EXPECTED.put(Platform.parse(p), GnuTarReference.extract(image.tars(), shared.resolve("expected/" + p.replace('/', '-'))));
        }
        layout.tag("multi", ImageLayout.OCI_INDEX, layout.index(List.copyOf(IMAGES.values())), Optional.empty());
        registry.push(layout.root(), "multi", "strata/multi", true);
        ref = registry.host() + "/strata/multi:multi";
    }

    @Test
    void theHostPlatformByDefault() throws Exception {
        Platform host = Platform.host();
        try (Strata strata = Strata.open(work.resolve("state"))) {
            RecordingListener unpacked = new RecordingListener();
            strata.pullAndUnpack(PullRequest.of("default", ref), PullListener.none(), "overlayfs",
                    unpacked);
            UnpackedTree.assertSame(strata.snapshotter(Strata.DEFAULT_NAMESPACE, "overlayfs"), unpacked.top(), EXPECTED.get(host), work);
            // Only the host's manifest, config and layers were fetched, besides the index.
            ImageLayout.Image mine = IMAGES.get(host);
            assertThat(strata.content().list()).extracting(ContentInfo::digest).hasSize(5)
                    .contains(mine.manifest().digest(), mine.config().digest())
                    .containsAll(mine.layers().stream().map(l -> l.blob().digest()).toList());
            // rootfs (host platform) finds the same chain unpacked.
            UnpackedTree.assertSame(strata.snapshotter(Strata.DEFAULT_NAMESPACE, "overlayfs"),
                    strata.unpack("default", ref, "overlayfs", PlatformMatcher.host(), new RecordingListener()),
                    EXPECTED.get(host), work);
        }
    }

    @Test
    void anotherPlatformWhenAsked() throws Exception {
        Platform arm64 = Platform.parse("linux/arm64/v8");
        try (Strata strata = Strata.open(work.resolve("state"))) {
            RecordingListener unpacked = new RecordingListener();
            strata.pullAndUnpack(PullRequest.of("arm", ref).withPlatforms(PlatformMatcher.only(arm64)), PullListener.none(), "overlayfs",
                    unpacked);
            UnpackedTree.assertSame(strata.snapshotter("arm", "overlayfs"), unpacked.top(), EXPECTED.get(arm64), work);
            assertThat(strata.content().info(IMAGES.get(Platform.parse("linux/arm/v7")).manifest().digest())).isEmpty();
            // Pulled then unpacked, into another backend, the same platform again.
            strata.pull(PullRequest.of("arm2", ref).withPlatforms(PlatformMatcher.only(Platform.parse("linux/arm/v7"))).withParallelism(1), PullListener.none());
            String top = strata.unpack("arm2", ref, "native", PlatformMatcher.only(Platform.parse("linux/arm/v7")),
                    new RecordingListener());
            UnpackedTree.assertSame(strata.snapshotter("arm2", "native"), top, EXPECTED.get(Platform.parse("linux/arm/v7")), work);
            if (!Platform.host().equals(arm64)) {
                // The host's manifest was never pulled into "arm": say so, not "blob not found".
                assertThatThrownBy(() -> strata.rootfs("arm", ref, "overlayfs", "c1", true))
                        .isInstanceOf(NotFoundException.class).hasMessageContaining(Platform.host().toString())
                        .hasMessageContaining("linux/arm64");
            }
        }
    }

    @Test
    void aPlatformTheIndexLacksIsAClearErrorAndStoresNoImage() throws Exception {
        try (Strata strata = Strata.open(work.resolve("state"))) {
            assertThatThrownBy(() -> strata.pullAndUnpack(PullRequest.of("default", ref).withPlatforms(PlatformMatcher.only(Platform.parse("linux/s390x"))), PullListener.none(), "overlayfs", new RecordingListener()))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageContaining("linux/s390x")
                    .hasMessageContaining("linux/amd64").hasMessageContaining("linux/arm64").hasMessageContaining("linux/arm/v7");
            assertThatThrownBy(() -> strata.pull(PullRequest.of("default", ref).withPlatforms(PlatformMatcher.only(Platform.parse("linux/ppc64le"))), PullListener.none()))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("linux/ppc64le");
            assertThat(strata.metadata().images("default")).isEmpty();
            assertThat(strata.snapshotter(Strata.DEFAULT_NAMESPACE, "overlayfs").list()).isEmpty();
            assertThat(strata.content().listIngests()).isEmpty();
        }
    }
}
