package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.cli.Captured.Result;
import io.strata.fs.Mounter;
import io.strata.testkit.ImageLayout;
import io.strata.testkit.OciArchive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code images check}, {@code images export} and {@code --platform} on {@code rootfs} (issue 19),
 * on a two-platform image: what is present and unpacked per platform, an export that imports back
 * to the same digests and chain IDs, and the refusals.
 */
class ImageCheckExportTest {
    @TempDir
    Path dir;
    private ImageLayout.Blob index;
    private ImageLayout.Image amd64;
    private ImageLayout.Image arm64;
    private Path archive;

    @BeforeEach
    void buildATwoPlatformImage() throws Exception {
        Path a = Files.createDirectories(dir.resolve("amd64"));
        Path b = Files.createDirectories(dir.resolve("arm64"));
        Files.writeString(a.resolve("arch"), "amd64");
        Files.writeString(b.resolve("arch"), "arm64");
        ImageLayout layout = ImageLayout.create(dir.resolve("layout"), dir.resolve("work"));
        amd64 = layout.image("linux/amd64", List.of(ImageLayout.LayerSpec.gzip(a)), List.of("/bin/sh"));
        arm64 = layout.image("linux/arm64", List.of(ImageLayout.LayerSpec.gzip(b)), List.of("/bin/sh"));
        index = layout.index(List.of(amd64, arm64));
        layout.tag("1", ImageLayout.OCI_INDEX, index, Optional.of("multi:1"));
        archive = dir.resolve("multi.tar");
        OciArchive.run(dir, "tar", "-C", layout.root().toString(), "-cf", archive.toString(), "oci-layout", "index.json", "blobs");
    }

    private static Result in(Path root, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--root";
        all[1] = root.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Captured.run(all);
    }

    private static String row(Result r, String name) {
        return r.out().lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow(() -> new AssertionError(r.out() + r.err()));
    }

    @Test
    void checkSaysWhatIsPresentAndUnpackedPerPlatform() {
        Path root = dir.resolve("root");
        assertThat(in(root, "import", "-q", archive.toString()).code()).isZero(); // unpacks this host's platform

        Result host = in(root, "images", "check", "--platform", "linux/amd64");
        assertThat(host.out().lines().findFirst()).hasValueSatisfying(h -> assertThat(h).startsWith("REF").contains("TYPE", "DIGEST", "STATUS", "SIZE", "UNPACKED"));
        assertThat(row(host, "multi:1")).contains(index.digest(), "complete (4/4)").endsWith("true");
        assertThat(row(in(root, "images", "check", "--platform", "linux/arm64", "multi:1"), "multi:1"))
                .as("arm64 is in the archive but not unpacked").contains("complete (4/4)").endsWith("false");

        // A layer removed by force: incomplete, still unpacked; -q names it.
        String layer = amd64.layers().getFirst().blob().digest();
        assertThat(in(root, "content", "rm", "--force", layer).code()).isZero();
        Result broken = in(root, "images", "check", "--platform", "linux/amd64");
        assertThat(row(broken, "multi:1")).contains("incomplete (3/4)").endsWith("true");
        assertThat(in(root, "images", "check", "-q", "--platform", "linux/amd64").out().strip()).isEqualTo("multi:1");
        assertThat(in(root, "images", "check", "--json", "--platform", "linux/amd64").out())
                .contains("\"complete\":false", "\"missing\":[\"" + layer + "\"]", "\"unpacked\":true");
        assertThat(in(root, "images", "check", "nope:1").code()).isEqualTo(3);
    }

    @Test
    void discardingUnpackedLayersKeepsTheOtherPlatformsLayers() {
        Path root = dir.resolve("root");
        Result imported = in(root, "import", "-q", "--discard-unpacked-layers", archive.toString()); // unpacks linux/amd64
        assertThat(imported.code()).as(imported.err()).isZero();
        Result gc = in(root, "gc");
        String amdLayer = amd64.layers().getFirst().blob().digest();
        String armLayer = arm64.layers().getFirst().blob().digest();
        assertThat(gc.out()).contains("removed content " + amdLayer).doesNotContain(armLayer);
        assertThat(in(root, "content", "ls", "-q").out().lines().toList()).contains(armLayer, arm64.manifest().digest())
                .doesNotContain(amdLayer);
        assertThat(row(in(root, "images", "check", "--platform", "linux/amd64"), "multi:1"))
                .contains("incomplete (3/4)").endsWith("true");
        assertThat(row(in(root, "images", "check", "--platform", "linux/arm64"), "multi:1"))
                .contains("complete (4/4)").endsWith("false");
    }

    @Test
    void exportImportsBackToTheSameDigestsAndChainIds() {
        Path root = dir.resolve("root");
        assertThat(in(root, "import", "-q", archive.toString()).code()).isZero();
        Path out = dir.resolve("out.tar");
        Result export = in(root, "images", "export", out.toString(), "multi:1");
        assertThat(export.code()).as(export.err()).isZero();

        Path again = dir.resolve("again");
        Result imported = in(again, "import", "-q", out.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out().strip()).isEqualTo("multi:1 " + index.digest());
        assertThat(in(again, "snapshots", "ls", "-q").out()).isEqualTo(in(root, "snapshots", "ls", "-q").out()).isNotEmpty();
        assertThat(in(again, "content", "ls", "-q").out()).isEqualTo(in(root, "content", "ls", "-q").out());

        Result exists = in(root, "images", "export", out.toString(), "multi:1");
        assertThat(exists.code()).isEqualTo(4);
        assertThat(exists.err()).contains(out + " exists");
    }

    @Test
    void onePlatformIsExportedAndMountedByItsPlatform() throws Exception {
        Path root = dir.resolve("root");
        assertThat(in(root, "import", "-q", "--no-unpack", archive.toString()).code()).isZero();
        Path out = dir.resolve("arm.tar");
        assertThat(in(root, "images", "export", "--platform", "linux/arm64", out.toString(), "multi:1").code()).isZero();

        Path arm = dir.resolve("arm");
        Result imported = in(arm, "import", "-q", "--no-unpack", out.toString());
        assertThat(imported.out().strip()).as("the index keeps its digest").isEqualTo("multi:1 " + index.digest());
        assertThat(in(arm, "content", "ls", "-q").out().lines().toList())
                .contains(index.digest(), arm64.manifest().digest(), arm64.config().digest())
                .doesNotContain(amd64.manifest().digest());

        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Result rootfs = in(arm, "rootfs", "--platform", "linux/arm64", "--view", "multi:1", mnt.toString());
        assertThat(rootfs.code()).as(rootfs.err()).isZero();
        try {
            assertThat(Files.readString(mnt.resolve("arch"))).isEqualTo("arm64");
        } finally {
            Mounter.unmountAll(mnt);
        }
        Result noAmd = in(arm, "images", "export", "--platform", "linux/amd64", dir.resolve("amd.tar").toString(), "multi:1");
        assertThat(noAmd.code()).isEqualTo(3);
        assertThat(noAmd.err()).contains("no manifest for linux/amd64 is in the content store");
        assertThat(dir.resolve("amd.tar")).doesNotExist();

        // A layer the export needs but the store lacks fails it, naming the layer, and writes nothing.
        assertThat(in(arm, "content", "rm", "--force", arm64.layers().getFirst().blob().digest()).code()).isZero();
        Result lacking = in(arm, "images", "export", "--platform", "linux/arm64", dir.resolve("lacking.tar").toString(), "multi:1");
        assertThat(lacking.code()).isEqualTo(5);
        assertThat(lacking.err()).contains("layer " + arm64.layers().getFirst().blob().digest() + " is not in the content store");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("lacking"));
        }
    }
}
