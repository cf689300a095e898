package io.strata.content.importer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.InvalidArgumentException;
import io.strata.content.ContentStore;
import io.strata.content.TestImages;
import io.strata.oci.Descriptor;
import io.strata.oci.Digests;
import io.strata.oci.ImageConfig;
import io.strata.oci.Manifest;
import io.strata.oci.MediaTypes;
import io.strata.oci.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImporterTest {
    @TempDir
    Path tmp;

    private static final List<Platform> TWO = List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64"));

    @Test
    void ociLayoutDirectoryWithAnIndex() throws Exception {
        Path layout = tmp.resolve("layout");
        var built = TestImages.ociLayout(layout, tmp, "v1", TWO, 2, 1000);
        try (ContentStore cs = ContentStore.open(tmp.resolve("store"))) {
            List<ImageEntry> images = Importer.importArchive(layout, cs);
            assertThat(images).singleElement().satisfies(e -> {
                assertThat(e.name()).contains("v1");
                assertThat(e.target().digest()).isEqualTo(built.target().digest());
                assertThat(e.target().mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
            });
            assertStoredExactly(cs, built);
        }
    }

    @Test
    void ociLayoutTarGzipped() throws Exception {
        Path layout = tmp.resolve("layout");
        var built = TestImages.ociLayout(layout, tmp, "latest", List.of(Platform.parse("linux/amd64")), 3, 500);
        Path tar = tmp.resolve("image.tar");
        TestImages.tar(layout, tar);
        TestImages.run("gzip", "-n", tar.toString());
        try (ContentStore cs = ContentStore.open(tmp.resolve("store"))) {
            List<ImageEntry> images = Importer.importArchive(Path.of(tar + ".gz"), cs);
            assertThat(images).singleElement().extracting(ImageEntry::target).extracting(Descriptor::digest)
                    .isEqualTo(built.target().digest());
            assertStoredExactly(cs, built);
            // importing again is idempotent
            assertThat(Importer.importArchive(Path.of(tar + ".gz"), cs)).hasSize(1);
        }
    }

    @Test
    void aBlobWithAWrongDigestIsRefused() throws Exception {
        Path layout = tmp.resolve("layout");
        var built = TestImages.ociLayout(layout, tmp, "v1", List.of(Platform.parse("linux/amd64")), 2, 100);
        Manifest m = Manifest.parse(MediaTypes.OCI_MANIFEST, built.targetBytes());
        Path layer = layout.resolve("blobs/sha256/" + Digests.hex(m.layers().get(1).digest()));
        byte[] bytes = Files.readAllBytes(layer);
        bytes[bytes.length / 2] ^= 1;
        Files.write(layer, bytes);
        Path tar = tmp.resolve("bad.tar");
        TestImages.tar(layout, tar);
        for (Path src : List.of(layout, tar)) {
            try (ContentStore cs = ContentStore.open(tmp.resolve("store-" + src.getFileName()))) {
                assertThatThrownBy(() -> Importer.importArchive(src, cs)).as(src.toString())
                        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("digest mismatch")
                        .hasMessageContaining(m.layers().get(1).digest());
                assertThat(cs.info(m.layers().get(1).digest())).isEmpty();
                assertThat(cs.listIngests()).isEmpty();
            }
        }
    }

    @Test
    void aMissingBlobIsRefused() throws Exception {
        Path layout = tmp.resolve("layout");
        var built = TestImages.ociLayout(layout, tmp, "v1", List.of(Platform.parse("linux/amd64")), 1, 100);
        Manifest m = Manifest.parse(MediaTypes.OCI_MANIFEST, built.targetBytes());
        Files.delete(layout.resolve("blobs/sha256/" + Digests.hex(m.config().digest())));
        try (ContentStore cs = ContentStore.open(tmp.resolve("store"))) {
            assertThatThrownBy(() -> Importer.importArchive(layout, cs)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining(m.config().digest()).hasMessageContaining("missing");
        }
    }

    @Test
    void dockerSaveTarBecomesASchema2Manifest() throws Exception {
        Path save = tmp.resolve("save");
        Files.createDirectories(save);
        Platform p = Platform.parse("linux/amd64");
        List<String> diffIds = new java.util.ArrayList<>();
        List<String> layerPaths = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path src = tmp.resolve("l" + i);
            Files.createDirectories(src);
            Files.writeString(src.resolve("file" + i), "content " + i);
            String id = "%064d".formatted(i + 1);
            Files.createDirectories(save.resolve(id));
            Path layerTar = save.resolve(id + "/layer.tar");
            TestImages.run("tar", "-C", src.toString(), "-cf", layerTar.toString(), ".");
            diffIds.add(Digests.of(Files.readAllBytes(layerTar)));
            layerPaths.add(id + "/layer.tar");
        }
        byte[] config = TestImages.config(p, diffIds);
        String cfgName = Digests.hex(Digests.of(config)) + ".json";
        Files.write(save.resolve(cfgName), config);
        Files.writeString(save.resolve("manifest.json"), "[{\"Config\":\"" + cfgName
                + "\",\"RepoTags\":[\"busybox:latest\",\"localhost:5000/me/app:1\"],\"Layers\":[\""
                + layerPaths.get(0) + "\",\"" + layerPaths.get(1) + "\"]}]");
        Files.writeString(save.resolve("repositories"), "{\"busybox\":{\"latest\":\"x\"}}");
        Path tar = tmp.resolve("save.tar");
        TestImages.tar(save, tar);
        try (ContentStore cs = ContentStore.open(tmp.resolve("store"))) {
            List<ImageEntry> images = Importer.importArchive(tar, cs);
            assertThat(images).extracting(ImageEntry::name).containsExactly(
                    Optional.of("docker.io/library/busybox:latest"), Optional.of("localhost:5000/me/app:1"));
            Descriptor target = images.getFirst().target();
            assertThat(target.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
            assertThat(target.platform()).contains(p);
            Manifest m = Manifest.parse(target.mediaType(), read(cs, target.digest()));
            assertThat(m.config().digest()).isEqualTo(Digests.of(config));
            assertThat(m.layers()).extracting(Descriptor::digest).containsExactlyElementsOf(diffIds);
            assertThat(m.layers()).extracting(Descriptor::mediaType).containsOnly(MediaTypes.DOCKER_LAYER);
            assertThat(ImageConfig.parse(read(cs, m.config().digest())).diffIds()).isEqualTo(diffIds);
        }
        // a layer that does not match its diff_id is refused
        Files.writeString(save.resolve("manifest.json"), "[{\"Config\":\"" + cfgName + "\",\"RepoTags\":[],\"Layers\":[\""
                + layerPaths.get(1) + "\",\"" + layerPaths.get(0) + "\"]}]");
        TestImages.tar(save, tar);
        try (ContentStore cs = ContentStore.open(tmp.resolve("store2"))) {
            assertThatThrownBy(() -> Importer.importArchive(tar, cs)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("diff_id");
        }
    }

    @Test
    void neitherLayoutNorSaveIsRefused() throws Exception {
        Path dir = tmp.resolve("junk");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("hello.txt"), "hi");
        Path tar = tmp.resolve("junk.tar");
        TestImages.tar(dir, tar);
        try (ContentStore cs = ContentStore.open(tmp.resolve("store"))) {
            assertThatThrownBy(() -> Importer.importArchive(tar, cs)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("neither");
            assertThatThrownBy(() -> Importer.importArchive(dir, cs)).isInstanceOf(InvalidArgumentException.class);
        }
    }

    private static byte[] read(ContentStore cs, String digest) throws IOException {
        try (InputStream in = cs.open(digest)) {
            return in.readAllBytes();
        }
    }

    private static void assertStoredExactly(ContentStore cs, TestImages.Built built) throws IOException {
        for (var e : built.blobs().entrySet()) {
            assertThat(read(cs, e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(new String(read(cs, built.target().digest()), UTF_8)).contains("schemaVersion");
    }
}
