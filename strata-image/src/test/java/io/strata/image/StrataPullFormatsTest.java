package io.strata.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.content.registry.PullListener;
import io.strata.oci.PlatformMatcher;
import io.strata.testkit.GnuTarReference;
import io.strata.testkit.ImageLayout.LayerSpec;
import io.strata.testkit.ImageLayout;
import io.strata.testkit.RegistryExtension;
import io.strata.testkit.Tree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layer formats through the library, from Debian's docker-registry: zstd layers, gzip, zstd and
 * plain tar mixed in one image, and a layer of 20,000 files with deletions above it. Each image is
 * pulled and unpacked in one pass and also pulled then unpacked, and the tree is compared with
 * GNU tar's extraction of the same layers.
 */
class StrataPullFormatsTest {
    @RegisterExtension
    static final RegistryExtension REGISTRY = new RegistryExtension();

    @TempDir
    Path work;

    /** A base with every kind of entry, and an upper layer that deletes, hides and replaces. */
    private static void baseAndTop(Path base, Path top) throws Exception {
        for (String d : List.of("usr/bin", "etc", "tmp", "home/user", "var/cache/old")) {
            Files.createDirectories(base.resolve(d));
        }
        Tree.apply(base,
                Tree.file("usr/bin/tool", "#!/bin/sh\necho tool\n", 0755), Tree.file("etc/setuid", "s", 04755),
                Tree.dir("tmp", 01777), Tree.symlink("../usr/bin/tool", "etc/tool-link"),
                Tree.link("usr/bin/tool", "usr/bin/tool-hard"),
                Tree.file("home/user/owned", "mine", 0640), Tree.chown("home/user/owned", 1000, 1000),
                Tree.file("var/cache/old/data", "old", 0644), Tree.file("var/cache/hidden", "hidden by the opaque dir", 0644),
                Tree.file("etc/gone", "deleted above", 0644), Tree.file("etc/replaced", "v1", 0644));
        byte[] big = new byte[3 << 20]; // several zstd blocks and gzip windows
        new Random(7).nextBytes(big);
        Files.write(base.resolve("usr/big.bin"), big);
        for (String d : List.of("var/cache", "etc", "usr")) {
            Files.createDirectories(top.resolve(d));
        }
        Tree.apply(top,
                Tree.file("var/cache/.wh..wh..opq", "", 0644), Tree.file("var/cache/fresh", "fresh", 0644),
                Tree.file("etc/.wh.gone", "", 0644), Tree.file("etc/replaced", "v2", 0600),
                Tree.file("usr/.wh.bin", "", 0644)); // a whole directory, its hard links with it
    }

    @Test
    void zstdLayersUnpackAsGnuTarExtracts() throws Exception {
        Path base = work.resolve("base");
        Path top = work.resolve("top");
        baseAndTop(base, top);
        Path expected = pushAndCheck("strata/zstd", List.of(LayerSpec.zstd(base), LayerSpec.zstd(top)),
                List.of("zstd", "zstd"));
        // The reference itself carried out the deletions (else both sides could agree on a wrong tree).
        assertThat(expected.resolve("usr/bin")).doesNotExist();
        assertThat(expected.resolve("etc/gone")).doesNotExist();
        assertThat(expected.resolve("var/cache")).isDirectoryContaining(p -> p.endsWith("fresh"))
                .isDirectoryNotContaining(p -> !p.endsWith("fresh"));
    }

    @Test
    void gzipZstdAndPlainLayersMixedInOneImage() throws Exception {
        Path base = work.resolve("base");
        Path top = work.resolve("top");
        baseAndTop(base, top);
        Path third = work.resolve("third");
        Files.createDirectories(third.resolve("etc"));
        Files.createDirectories(third.resolve("usr"));
        Tree.apply(third, Tree.file("etc/replaced", "v3", 0644), Tree.file("usr/big.bin", "small now", 0644));
        pushAndCheck("strata/mixed", List.of(LayerSpec.gzip(base), LayerSpec.zstd(top),
                LayerSpec.of(third, ImageLayout.Compression.NONE)), List.of("gzip", "zstd", "none"));
    }

    @Test
    void aLayerOfTwentyThousandFilesWithDeletionsAbove() throws Exception {
        Path many = work.resolve("many");
        for (int d = 0; d < 100; d++) {
            Path dir = Files.createDirectories(many.resolve("data/d" + d / 10 + "/e" + d));
            for (int f = 0; f < 200; f++) {
                Files.writeString(dir.resolve("f" + f), "file " + d + "/" + f + "\n");
            }
        }
        Path top = work.resolve("top");
        Files.createDirectories(top.resolve("data/d0/e1"));
        Files.createDirectories(top.resolve("data/d1"));
        Files.createDirectories(top.resolve("data/d2/e20"));
        Files.writeString(top.resolve("data/d0/.wh.e0"), ""); // a whole directory of 200 files
        for (int f = 0; f < 200; f += 2) {
            Files.writeString(top.resolve("data/d0/e1/.wh.f" + f), ""); // every other file of another
        }
        Files.writeString(top.resolve("data/d1/.wh..wh..opq"), ""); // 2,000 files hidden at once
        Files.writeString(top.resolve("data/d1/new"), "new\n");
        Files.writeString(top.resolve("data/d2/e20/f0"), "changed\n");
        Path expected = pushAndCheck("strata/many", List.of(LayerSpec.gzip(many), LayerSpec.zstd(top)),
                List.of("gzip", "zstd"));
        assertThat(expected.resolve("data/d0/e0")).doesNotExist();
        try (var left = Files.list(expected.resolve("data/d0/e1"))) {
            assertThat(left.count()).isEqualTo(100);
        }
        try (var left = Files.list(expected.resolve("data/d1"))) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("new");
        }
    }

    /**
     * Pushes an image of {@code layers} as {@code name:1}; pulls and unpacks it in one pass into
     * overlayfs, and pulls then unpacks it into native from another state; both trees must be GNU
     * tar's, and the applier must have found {@code compressions}. Returns the reference tree.
     */
    private Path pushAndCheck(String name, List<LayerSpec> layers, List<String> compressions) throws Exception {
        ImageLayout layout = ImageLayout.create(work.resolve("layout"), work);
        ImageLayout.Image image = layout.image("linux/" + hostArch(), layers, List.of("/usr/bin/tool"));
        layout.tag("1", ImageLayout.OCI_MANIFEST, image.manifest(), Optional.empty());
        REGISTRY.registry().push(layout.root(), "1", name, false);
        Path expected = GnuTarReference.extract(image.tars(), work.resolve("expected"));
        String ref = REGISTRY.registry().host() + "/" + name + ":1";

        try (Strata strata = Strata.open(work.resolve("state"))) {
            RecordingListener streamed = new RecordingListener();
            strata.pullAndUnpack(PullRequest.of("default", ref), PullListener.none(), "overlayfs",
                    streamed);
            assertThat(streamed.compressions()).isEqualTo(compressions);
            UnpackedTree.assertSame(strata.snapshotter(Strata.DEFAULT_NAMESPACE, "overlayfs"), streamed.top(), expected, work);
        }
        try (Strata strata = Strata.open(work.resolve("state2"))) {
            strata.pull(PullRequest.of("default", ref).withParallelism(1), PullListener.none());
            RecordingListener unpacked = new RecordingListener();
            String top = strata.unpack("default", ref, "native", PlatformMatcher.host(), unpacked);
            assertThat(unpacked.compressions()).isEqualTo(compressions);
            UnpackedTree.assertSame(strata.snapshotter(Strata.DEFAULT_NAMESPACE, "native"), top, expected, work);
        }
        return expected;
    }

    static String hostArch() {
        return io.strata.oci.Platform.host().architecture();
    }
}
