package io.strata.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Mount;
import io.strata.api.Snapshotter;
import io.strata.codec.compress.Compression;
import io.strata.backend.Backends;
import io.strata.fs.FileOps;
import io.strata.fs.Mounter;
import io.strata.fs.Stat;
import io.strata.fs.TreeCopier;
import io.strata.testkit.TreeAssert;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** diff, then apply, gives back the tree: by double walk, from an overlay upper dir, and through snapshotters. */
class DiffTest {
    @TempDir
    Path work;

    /** Changes of every kind, made through {@code root} (a plain tree or a mounted overlay). */
    static void change(Path root) throws java.io.IOException {
        Files.delete(root.resolve("etc/shadow"));
        io.strata.testkit.Tree.deleteTree(root.resolve("deep"));
        Files.writeString(root.resolve("etc/new-file"), "new");
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/ash\n"); // same size, new bytes
        FileOps.setTimes(root.resolve("etc/passwd"), 1_600_000_000_000_000_000L, 1_600_000_000_000_000_000L);
        FileOps.chmod(root.resolve("usr/bin/su"), 0755);
        FileOps.lchown(root.resolve("home/user/notes.txt"), 2000, 2000);
        FileOps.setXattr(root.resolve("usr/bin/ping"), "security.capability", new byte[] {1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        Files.delete(root.resolve("abs-link"));
        Files.createSymbolicLink(root.resolve("abs-link"), Path.of("/etc/new-file"));
        io.strata.testkit.Tree.deleteTree(root.resolve("tmp"));
        Files.createDirectories(root.resolve("tmp/fresh"));                 // dir removed and made again: opaque on overlay
        Files.delete(root.resolve("unicode-\u00fcml\u00e4ut-\u65e5\u672c"));
        Files.createDirectories(root.resolve("unicode-\u00fcml\u00e4ut-\u65e5\u672c"));   // file replaced by a dir
        Files.createLink(root.resolve("etc/hard"), root.resolve("etc/new-file"));
    }

    private byte[] diffTrees(Path lower, Path upper, Compression c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Layers.diffTrees(Optional.ofNullable(lower), upper, out, c);
        return out.toByteArray();
    }

    @Test
    void doubleWalkRoundTrips() throws Exception {
        Path lower = work.resolve("lower");
        RichTree.build(lower);
        Path upper = work.resolve("upper");
        TreeCopier.copy(lower, upper);
        change(upper);
        byte[] layer = diffTrees(lower, upper, Compression.GZIP);

        Path result = work.resolve("result");
        TreeCopier.copy(lower, result);
        ApplyResult r = Layers.applyTo(result, Whiteouts.DELETE, List.of(), new ByteArrayInputStream(layer), ApplyOptions.DEFAULTS);
        TreeAssert.assertSameTree(upper, result);
        assertThat(Stat.lstat(result.resolve("etc/hard")).nlink()).isEqualTo(2);
        assertThat(r.compression()).isEqualTo("gzip");
        // Only what changed travels: untouched big files are not in the layer.
        assertThat(r.size()).isLessThan(64 * 1024);
    }

    @Test
    void aFullTreeDiffRebuildsTheTree() throws Exception {
        Path tree = work.resolve("tree");
        RichTree.build(tree);
        byte[] layer = diffTrees(null, tree, Compression.ZSTD);
        Path result = Files.createDirectories(work.resolve("result"));
        Layers.applyTo(result, Whiteouts.DELETE, List.of(), new ByteArrayInputStream(layer), ApplyOptions.DEFAULTS);
        TreeAssert.assertSameTree(tree, result);
        assertThat(Stat.lstat(result.resolve("data/random.bin")).nlink()).isEqualTo(3);
    }

    @Test
    void outputIsDeterministicAndTheDiffIdDoesNotDependOnCompression() throws Exception {
        Path tree = work.resolve("tree");
        RichTree.build(tree);
        byte[] a = diffTrees(null, tree, Compression.GZIP);
        byte[] b = diffTrees(null, tree, Compression.GZIP);
        assertThat(a).isEqualTo(b);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DiffResult zstd = Layers.diffTrees(Optional.empty(), tree, out, Compression.ZSTD);
        DiffResult none = Layers.diffTrees(Optional.empty(), tree, new ByteArrayOutputStream(), Compression.NONE);
        assertThat(zstd.diffId()).isEqualTo(none.diffId()).isEqualTo(none.digest());
        assertThat(zstd.mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar+zstd");
        assertThat(zstd.size()).isEqualTo(out.size());
        assertThat(none.uncompressedSize()).isEqualTo(zstd.uncompressedSize());
    }

    @Test
    void anOverlayUpperDirectoryIsTheLayer() throws Exception {
        Path lower = work.resolve("lower");
        RichTree.build(lower);
        Path upper = Files.createDirectories(work.resolve("upper"));
        Path merged = Files.createDirectories(work.resolve("merged"));
        List<Mount> overlay = List.of(new Mount("overlay", "overlay", List.of("workdir=" + Files.createDirectories(work.resolve("w")),
                "upperdir=" + upper, "lowerdir=" + lower, "index=off")));
        Mounter.mountAll(overlay, merged);
        try {
            change(merged);
        } finally {
            Mounter.unmount(merged);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DiffResult d = Layers.diffOverlayUpper(upper, out, Compression.GZIP);
        assertThat(d.entries()).isGreaterThan(5);

        // Applied on a copying backend: the lower tree plus the layer is the merged view.
        Path copy = work.resolve("copy");
        TreeCopier.copy(lower, copy);
        Layers.applyTo(copy, Whiteouts.DELETE, List.of(), new ByteArrayInputStream(out.toByteArray()), ApplyOptions.DEFAULTS);
        // Applied as a new overlay upper: mounts as the merged view too.
        Path upper2 = Files.createDirectories(work.resolve("upper2"));
        Layers.applyTo(upper2, Whiteouts.OVERLAY, List.of(lower), new ByteArrayInputStream(out.toByteArray()), ApplyOptions.DEFAULTS);
        Mounter.mountAll(overlay, merged);
        Path merged2 = Files.createDirectories(work.resolve("merged2"));
        Mounter.mountAll(List.of(new Mount("overlay", "overlay", List.of("workdir=" + Files.createDirectories(work.resolve("w2")),
                "upperdir=" + upper2, "lowerdir=" + lower, "index=off"))), merged2);
        try {
            TreeAssert.assertSameTree(merged, copy);
            TreeAssert.assertSameTree(merged, merged2);
        } finally {
            Mounter.unmount(merged);
            Mounter.unmount(merged2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native", "block"})
    void throughSnapshotters(String backend) throws Exception {
        try (Snapshotter s = Backends.open(backend, work.resolve("state"))) {
            List<Mount> base = s.prepare("base-active", "");
            Path src = work.resolve("src");
            RichTree.build(src);
            ByteArrayOutputStream l1 = new ByteArrayOutputStream();
            DiffResult d1 = Layers.diffTrees(Optional.empty(), src, l1, Compression.GZIP);
            ApplyResult a1 = Layers.apply(base, new ByteArrayInputStream(l1.toByteArray()),
                    ApplyOptions.DEFAULTS.withExpectedDiffId(d1.diffId()).withExpectedDigest(d1.digest()));
            assertThat(a1.diffId()).isEqualTo(d1.diffId());
            s.commit("base", "base-active");

            List<Mount> child = s.prepare("child", "base");
            Mounter.withMounted(child, dir -> {
                change(dir);
                return null;
            });
            ByteArrayOutputStream l2 = new ByteArrayOutputStream();
            DiffResult d2 = Layers.diff(s.view("base-view", "base"), s.mounts("child"), l2, Compression.ZSTD);
            s.commit("top", "child");

            // Replay both layers on a fresh stack; the result must be the changed tree.
            List<Mount> r1 = s.prepare("replay-1", "");
            Layers.apply(r1, new ByteArrayInputStream(l1.toByteArray()), ApplyOptions.DEFAULTS);
            s.commit("replay-base", "replay-1");
            List<Mount> r2 = s.prepare("replay-2", "replay-base");
            ApplyResult a2 = Layers.apply(r2, new ByteArrayInputStream(l2.toByteArray()), ApplyOptions.DEFAULTS.withExpectedDiffId(d2.diffId()));
            assertThat(a2.compression()).isEqualTo("zstd");
            s.commit("replay-top", "replay-2");

            change(src);
            Mounter.withMounted(s.view("check", "replay-top"), dir -> {
                TreeAssert.assertSameTree(src, dir);
                return null;
            });
            // And the diff of a committed snapshot (through views) is the same layer.
            ByteArrayOutputStream l3 = new ByteArrayOutputStream();
            DiffResult d3 = Layers.diff(s.view("base-view-2", "base"), s.view("top-view", "top"), l3, Compression.ZSTD);
            assertThat(d3.diffId()).isEqualTo(d2.diffId());
        }
    }
}
