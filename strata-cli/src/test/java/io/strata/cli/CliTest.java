package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.cli.Captured.Result;
import io.strata.testkit.Tree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CLI drives every operation, with ctr's habits and distinct exit codes. */
class CliTest {
    private Path root;
    private Path mnt;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory("strata-cli");
        mnt = Files.createTempDirectory("strata-cli-mnt");
    }

    @AfterEach
    void tearDown() throws Exception {
        io.strata.fs.Mounter.unmountAll(mnt);
        Tree.deleteTree(mnt);
        Tree.deleteTree(root);
    }

    private Result strata(String snapshotter, String... args) {
        List<String> all = new ArrayList<>();
        all.add(args[0]);
        if ((args[0].equals("snapshots") || args[0].equals("layer") || args[0].equals("images")) && args.length > 1) {
            all.add(args[1]);
            all.add("--root=" + root);
            all.add("--snapshotter=" + snapshotter);
            all.addAll(List.of(args).subList(2, args.length));
        } else if (!args[0].equals("unmount")) {
            all.add("--root=" + root);
            all.add("--snapshotter=" + snapshotter);
            all.addAll(List.of(args).subList(1, args.length));
        } else {
            all.addAll(List.of(args).subList(1, args.length));
        }
        return Captured.run(all.toArray(String[]::new));
    }

    /** --namespace isolates keys in process as the daemon does (issue 15), and bad names are refused before anything is stored. */
    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native"})
    void namespacesIsolateKeysInProcess(String s) {
        assertThat(strata(s, "snapshots", "prepare", "-n", "team-a", "k1").code()).isZero();
        assertThat(strata(s, "snapshots", "ls", "-n", "team-b", "-q").out()).isEmpty();
        assertThat(strata(s, "snapshots", "ls", "-q").out()).isEmpty();
        assertThat(strata(s, "snapshots", "prepare", "-n", "team-b", "k1").code()).isZero();
        assertThat(strata(s, "snapshots", "commit", "-n", "team-a", "c1", "k1").code()).isZero();
        assertThat(strata(s, "snapshots", "ls", "-n", "team-a", "-q").out()).isEqualTo("c1\n");
        assertThat(strata(s, "snapshots", "ls", "-n", "team-b", "-q").out()).isEqualTo("k1\n");
        Result bad = strata(s, "snapshots", "prepare", "-n", "a..b", "k2");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("namespace \"a..b\"");
        assertThat(strata(s, "snapshots", "rm", "-n", "team-a", "k1").code()).isEqualTo(3);
        assertThat(strata(s, "snapshots", "rm", "-n", "team-a", "c1").code()).isZero();
        assertThat(strata(s, "snapshots", "rm", "-n", "team-b", "k1").code()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native", "block"})
    void everyOperationFromTheCommandLine(String s) throws Exception {
        assertThat(strata(s, "snapshots", "prepare", "--label", "a=1", "base-a").code()).isZero();
        assertThat(strata(s, "mount", "base-a", mnt.toString()).code()).isZero();
        Files.writeString(mnt.resolve("hello"), "world");
        assertThat(strata(s, "unmount", mnt.toString()).code()).isZero();
        assertThat(strata(s, "snapshots", "commit", "-l", "gc=keep", "base", "base-a").code()).isZero();

        Result prep = strata(s, "snapshots", "prepare", "--mounts", "child", "base");
        assertThat(prep.code()).isZero();
        assertThat(prep.out()).startsWith("[{\"Type\":");
        assertThat(strata(s, "snapshots", "view", "ro-view", "base").code()).isZero();

        Result ls = strata(s, "snapshots", "ls");
        assertThat(ls.out().lines().toList()).containsExactly(
                "KEY       PARENT   KIND",
                "base               Committed",
                "child     base     Active",
                "ro-view   base     View");
        assertThat(strata(s, "snapshots", "ls", "--filter", "kind==committed", "-q").out()).isEqualTo("base\n");
        assertThat(strata(s, "snapshots", "ls", "--json", "-f", "name==child").out())
                .contains("\"Kind\":\"Active\"", "\"Name\":\"child\"", "\"Parent\":\"base\"");

        Result info = strata(s, "snapshots", "info", "base");
        assertThat(info.out()).contains("\"Kind\":\"Committed\"", "\"Labels\":{\"gc\":\"keep\"}");

        assertThat(strata(s, "snapshots", "label", "base", "x=y", "gc=").out()).isEqualTo("x=y\n");

        Result usage = strata(s, "snapshots", "usage", "-b", "base");
        long inodes;
        try (var sn = io.strata.backend.Backends.open(s, root)) {
            // the backend itself, keys as stored: the default namespace's "base"
            inodes = sn.usage("default/base").inodes(); // a directory tree of two, or every inode in use in an image
        }
        assertThat(usage.out().lines().skip(1).findFirst().orElseThrow()).startsWith("base").endsWith(" " + inodes);

        Result mounts = strata(s, "snapshots", "mounts", "/target", "ro-view");
        assertThat(mounts.out()).startsWith("mount -t ").contains(" /target").contains("ro");

        Result tree = strata(s, "snapshots", "tree");
        assertThat(tree.out()).contains(" base\n").contains("\\_ child (active)");

        assertThat(strata(s, "mount", "ro-view", mnt.toString()).code()).isZero();
        assertThat(Files.readString(mnt.resolve("hello"))).isEqualTo("world");
        assertThat(strata(s, "unmount", mnt.toString()).code()).isZero();

        assertThat(strata(s, "snapshots", "rm", "child", "ro-view").code()).isZero();
        assertThat(strata(s, "snapshots", "cleanup").code()).isZero();
        assertThat(strata(s, "snapshots", "rm", "base").code()).isZero();
        assertThat(strata(s, "snapshots", "ls", "-q").out()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native", "block"})
    void exitCodesTellErrorKindsApart(String s) {
        assertThat(strata(s, "snapshots", "prepare", "a").code()).isZero();
        assertThat(strata(s, "snapshots", "commit", "c", "a").code()).isZero();
        assertThat(strata(s, "snapshots", "prepare", "child", "c").code()).isZero();

        Result notFound = strata(s, "snapshots", "info", "nope");
        assertThat(notFound.code()).isEqualTo(3);
        assertThat(notFound.err()).contains("not found");
        assertThat(strata(s, "snapshots", "prepare", "c").code()).isEqualTo(4);
        Result precondition = strata(s, "snapshots", "rm", "c");
        assertThat(precondition.code()).isEqualTo(5);
        assertThat(precondition.err()).contains("child");
        assertThat(strata(s, "snapshots", "ls", "-f", "name==").code()).isEqualTo(2);
        assertThat(strata(s, "snapshots", "prepare", "x", "--label", "novalue").code()).isEqualTo(2);
        assertThat(strata(s, "snapshots", "prepare").code()).isEqualTo(2);
        assertThat(strata("zfs", "snapshots", "ls").code()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native", "block"})
    void demoRunsAndCleansUp(String s) {
        Result demo = strata(s, "demo");
        assertThat(demo.code()).as(demo.err()).isZero();
        assertThat(demo.out()).contains("/etc/hostname", "/written-by-container").doesNotContain("/etc/motd");
        assertThat(strata(s, "snapshots", "ls", "-q").out()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native", "block"})
    void layersGoInAndComeOut(String s) throws Exception {
        Path work = Files.createTempDirectory("strata-cli-layers");
        Path src = Files.createDirectories(work.resolve("src"));
        try {
            Files.writeString(Files.createDirectories(src.resolve("etc")).resolve("hostname"), "box\n");
            Files.writeString(src.resolve("gone"), "bye");
            Path tar = work.resolve("layer.tar");
            new ProcessBuilder("tar", "-czf", tar.toString(), "-C", src.toString(), ".").inheritIO().start().waitFor();

            assertThat(strata(s, "snapshots", "prepare", "base-a").code()).isZero();
            Result applied = strata(s, "layer", "apply", "--json", "base-a", tar.toString());
            assertThat(applied.code()).as(applied.err()).isZero();
            assertThat(applied.out()).contains("\"compression\":\"gzip\"", "\"digest\":\"sha256:" + io.strata.testkit.OciArchive.sha256(tar));
            assertThat(strata(s, "snapshots", "commit", "base", "base-a").code()).isZero();
            assertThat(strata(s, "layer", "apply", "base", tar.toString()).code()).isEqualTo(5);

            assertThat(strata(s, "snapshots", "prepare", "child", "base").code()).isZero();
            assertThat(strata(s, "mount", "child", mnt.toString()).code()).isZero();
            Files.delete(mnt.resolve("gone"));
            Files.writeString(mnt.resolve("etc/hostname"), "changed\n");
            assertThat(strata(s, "unmount", mnt.toString()).code()).isZero();
            Path layer = work.resolve("layer.zst");
            Result diff = strata(s, "layer", "diff", "child", "-o", layer.toString(), "--compress", "zstd");
            assertThat(diff.code()).as(diff.err()).isZero();
            assertThat(diff.out()).startsWith("sha256:" + io.strata.testkit.OciArchive.sha256(layer));
            assertThat(strata(s, "snapshots", "commit", "top", "child").code()).isZero();
            Result again = strata(s, "layer", "diff", "top", "-o", layer + ".again", "--compress", "zstd");
            assertThat(again.out().lines().findFirst()).isEqualTo(diff.out().lines().findFirst());
            assertThat(Files.readAllBytes(Path.of(layer + ".again"))).isEqualTo(Files.readAllBytes(layer));
            assertThat(strata(s, "snapshots", "ls").out()).doesNotContain("strata-diff");

            assertThat(strata(s, "snapshots", "prepare", "replay", "base").code()).isZero();
            Result replay = strata(s, "layer", "apply", "replay", layer.toString());
            assertThat(replay.code()).as(replay.err()).isZero();
            assertThat(strata(s, "mount", "replay", mnt.toString()).code()).isZero();
            assertThat(mnt.resolve("gone")).doesNotExist();
            assertThat(mnt.resolve("etc/hostname")).hasContent("changed");
            assertThat(strata(s, "unmount", mnt.toString()).code()).isZero();

            Files.write(tar, new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3});
            Result corrupt = strata(s, "layer", "apply", "replay", tar.toString());
            assertThat(corrupt.code()).isEqualTo(2);
            assertThat(corrupt.err()).contains("invalid layer");
            assertThat(strata(s, "layer", "apply", "replay", root.resolve("missing.tar").toString()).err())
                    .contains("missing.tar does not exist");
            assertThat(strata(s, "layer", "diff", "top", "-o", layer.toString(), "--compress", "lz4").code()).isEqualTo(2);
        } finally {
            Tree.deleteTree(work);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native"})
    void imagesFromArchiveToRootfsAndGarbage(String s) throws Exception {
        Path work = Files.createTempDirectory("strata-cli-images");
        try {
            Path layer = Files.createDirectories(work.resolve("layer/etc"));
            Files.writeString(layer.resolve("motd"), "hello from an image\n");
            Path archive = io.strata.testkit.OciArchive.build(work, "example.com/cli/app:1", List.of(work.resolve("layer")),
                    List.of("/bin/sh"));
            Result imported = strata(s, "import", archive.toString());
            assertThat(imported.code()).as(imported.err()).isZero();
            assertThat(imported.out()).contains("example.com/cli/app:1 sha256:", "layer 0 sha256:", "unpacked to " + s);
            assertThat(strata(s, "images", "ls", "-q").out()).isEqualTo("example.com/cli/app:1\n");
            assertThat(strata(s, "images", "inspect", "example.com/cli/app:1").out()).contains("\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"");

            Result mounted = strata(s, "rootfs", "--key", "app-1", "example.com/cli/app:1", mnt.toString());
            assertThat(mounted.code()).as(mounted.err()).isZero();
            assertThat(mnt.resolve("etc/motd")).hasContent("hello from an image\n");
            assertThat(strata(s, "unmount", mnt.toString()).code()).isZero();

            assertThat(strata(s, "gc", "--dry-run").out()).contains("would remove 0 blobs and 0 snapshots");
            assertThat(strata(s, "images", "rm", "example.com/cli/app:1").code()).isZero();
            // The blobs go; the container's snapshot keeps the unpacked layer it stands on.
            assertThat(strata(s, "gc").out()).contains("removed 3 blobs and 0 snapshots");
            assertThat(strata(s, "snapshots", "rm", "app-1").code()).isZero();
            Result gc = strata(s, "gc");
            assertThat(gc.out()).contains("removed 0 blobs and 1 snapshots");
            assertThat(strata(s, "images", "rm", "example.com/cli/app:1").code()).isEqualTo(3);
            assertThat(strata(s, "import", work.resolve("missing.tar").toString()).code()).isEqualTo(2);
        } finally {
            Tree.deleteTree(work);
        }
    }
}
