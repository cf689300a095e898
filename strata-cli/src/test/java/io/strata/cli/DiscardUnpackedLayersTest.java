package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.cli.Captured.Result;
import io.strata.fs.Mounter;
import io.strata.testkit.ImageLayout;
import io.strata.testkit.RegistryExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --discard-unpacked-layers} (issue 19), against a real registry: once an image is unpacked
 * the next GC frees its layer blobs while the snapshots stay, a blob another image still needs is
 * kept, the unpacked image still mounts, and pulling it again fetches no layer.
 */
class DiscardUnpackedLayersTest {
    @RegisterExtension
    static final RegistryExtension REGISTRY = new RegistryExtension();
    @TempDir
    Path dir;

    private static void random(Path file, int bytes, long seed) throws Exception {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b); // incompressible: a layer's blob is about its files' size
        Files.write(file, b);
    }

    private long blobBytes(Path root) throws Exception {
        try (Stream<Path> s = Files.list(root.resolve("content/blobs/sha256"))) {
            long sum = 0;
            for (Path p : s.toList()) {
                sum += Files.size(p);
            }
            return sum;
        }
    }

    private static Path blob(Path root, String digest) {
        return root.resolve("content/blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    @Test
    void gcFreesTheLayersOfAnUnpackedImageAndKeepsWhatOthersNeed() throws Exception {
        Path base = Files.createDirectories(dir.resolve("base"));
        Path app = Files.createDirectories(dir.resolve("app"));
        Path tool = Files.createDirectories(dir.resolve("tool"));
        random(base.resolve("base.bin"), 300_000, 1);
        random(app.resolve("app.bin"), 200_000, 2);
        random(tool.resolve("tool.bin"), 100_000, 3);
        ImageLayout layout = ImageLayout.create(dir.resolve("layout"), dir.resolve("work"));
        ImageLayout.Image appImage = layout.image("linux/amd64", List.of(ImageLayout.LayerSpec.gzip(base), ImageLayout.LayerSpec.gzip(app)),
                List.of("/bin/sh"));
        ImageLayout.Image toolImage = layout.image("linux/amd64", List.of(ImageLayout.LayerSpec.gzip(base), ImageLayout.LayerSpec.gzip(tool)),
                List.of("/bin/sh"));
        layout.tag("app", ImageLayout.OCI_MANIFEST, appImage.manifest(), Optional.empty());
        layout.tag("tool", ImageLayout.OCI_MANIFEST, toolImage.manifest(), Optional.empty());
        String shared = appImage.layers().get(0).blob().digest();
        assertThat(toolImage.layers().get(0).blob().digest()).as("both images share the base layer").isEqualTo(shared);
        String appOnly = appImage.layers().get(1).blob().digest();
        REGISTRY.registry().push(layout.root(), "app", "strata/discard-app", false);
        REGISTRY.registry().push(layout.root(), "tool", "strata/discard-tool", false);
        String appRef = REGISTRY.registry().host() + "/strata/discard-app:app";
        String toolRef = REGISTRY.registry().host() + "/strata/discard-tool:tool";
        Path root = dir.resolve("root");
        String r = root.toString();

        // The tool image is only fetched, not unpacked: its blobs are its only copy.
        assertThat(Captured.run("pull", "-q", "--root", r, "--no-unpack", "--plain-http", toolRef).code()).isZero();
        Result pulled = Captured.run("pull", "-q", "--root", r, "--discard-unpacked-layers", "--plain-http", appRef);
        assertThat(pulled.code()).as(pulled.err()).isZero();
        assertThat(blob(root, appOnly)).as("until the next GC the blob is there").exists();
        long before = blobBytes(root);

        Result gc = Captured.run("gc", "--root", r);
        assertThat(gc.code()).as(gc.err()).isZero();
        assertThat(gc.out()).contains("removed content " + appOnly).doesNotContain("removed content " + shared)
                .doesNotContain("removed snapshot");
        assertThat(blob(root, appOnly)).doesNotExist();
        assertThat(blob(root, shared)).as("the tool image, not unpacked, still needs it").exists();
        assertThat(blob(root, appImage.manifest().digest())).exists();
        assertThat(blob(root, appImage.config().digest())).exists();
        long after = blobBytes(root);
        assertThat(before - after).as("the app layer's blob is what was freed")
                .isEqualTo(appImage.layers().get(1).blob().size());

        // The snapshots stayed: the image still mounts, with both layers' files.
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Result rootfs = Captured.run("rootfs", "--root", r, appRef, mnt.toString());
        assertThat(rootfs.code()).as(rootfs.err()).isZero();
        try {
            assertThat(Files.size(mnt.resolve("base.bin"))).isEqualTo(300_000);
            assertThat(Files.size(mnt.resolve("app.bin"))).isEqualTo(200_000);
        } finally {
            Mounter.unmountAll(mnt);
        }

        // Pulled again, nothing is fetched that is unpacked already: the freed blob stays gone.
        Result again = Captured.run("pull", "--root", r, "--discard-unpacked-layers", "--plain-http", appRef);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("layer 0 ", "layer 1 ").doesNotContain("unpacked (");
        assertThat(blob(root, appOnly)).doesNotExist();
    }

    @Test
    void importDiscardsToo_andNothingIsDiscardedWithoutTheFlag() throws Exception {
        Path l1 = Files.createDirectories(dir.resolve("l1"));
        random(l1.resolve("one.bin"), 50_000, 4);
        Path archive = io.strata.testkit.OciArchive.build(dir, "imported:1", List.of(l1), List.of("/bin/sh"));
        // The one blob of the layout over 40 kB is the layer (50 kB of random bytes); config and manifest are small.
        String layer = "sha256:" + dir.resolve("layout/blobs/sha256").toFile().listFiles(f -> f.length() > 40_000)[0].getName();

        Path kept = dir.resolve("kept");
        assertThat(Captured.run("import", "-q", "--root", kept.toString(), archive.toString()).code()).isZero();
        assertThat(Captured.run("gc", "--root", kept.toString()).code()).isZero();
        assertThat(blob(kept, layer)).as("without the flag the layer blob stays").exists();

        Path discarded = dir.resolve("discarded");
        Result imported = Captured.run("import", "-q", "--root", discarded.toString(), "--discard-unpacked-layers", archive.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(Captured.run("gc", "--root", discarded.toString()).out()).contains("removed content " + layer);
        assertThat(blob(discarded, layer)).doesNotExist();

        Result refused = Captured.run("pull", "--root", discarded.toString(), "--no-unpack", "--discard-unpacked-layers",
                "127.0.0.1:1/x:1");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("--discard-unpacked-layers needs an unpack");
    }
}
