package io.strata.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.InvalidArgumentException;
import io.strata.api.Mount;
import io.strata.fs.FileOps;
import io.strata.fs.Mounter;
import io.strata.fs.Stat;
import io.strata.testkit.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whiteouts, opaque directories and replacement, in both flavours; overlay checked through a real mount. */
class WhiteoutApplyTest {
    @TempDir
    Path work;

    private void lower(Path root) throws Exception {
        RichTree.file(Files.createDirectories(root.resolve("a")).resolve("x"), "x".getBytes(), 0644, 0, 0);
        RichTree.file(root.resolve("a/y"), "y".getBytes(), 0644, 0, 0);
        RichTree.file(Files.createDirectories(root.resolve("b/deeper")).resolve("z"), "z".getBytes(), 0644, 0, 0);
        RichTree.file(root.resolve("c"), "c".getBytes(), 0644, 0, 0);
        RichTree.file(Files.createDirectories(root.resolve("d")).resolve("old"), "old".getBytes(), 0644, 0, 0);
        RichTree.file(root.resolve("f"), "file".getBytes(), 0644, 0, 0);
        RichTree.file(Files.createDirectories(root.resolve("g")).resolve("child"), "child".getBytes(), 0644, 0, 0);
        Files.createSymbolicLink(root.resolve("s"), Path.of("a"));
    }

    private static LayerBuilder changes() {
        return new LayerBuilder()
                .file(".wh.c", "")
                .dir("a").file("a/.wh.x", "")
                .dir("b").file("b/new", "new")          // added before the opaque marker: must survive it
                .file("b/.wh..wh..opq", "")
                .dir("d").file("d/.wh..wh..opq", "").file("d/fresh", "fresh")
                .dir("f").file("f/inside", "now a dir")   // file replaced by a directory
                .file("g", "now a file")                  // directory replaced by a file
                .dir("s").file("s/inner", "inner");       // symlink replaced by a directory
    }

    private static void expected(Path root) throws Exception {
        RichTree.file(Files.createDirectories(root.resolve("a")).resolve("y"), "y".getBytes(), 0644, 0, 0);
        RichTree.file(Files.createDirectories(root.resolve("b")).resolve("new"), "new".getBytes(), 0644, 0, 0);
        RichTree.file(Files.createDirectories(root.resolve("d")).resolve("fresh"), "fresh".getBytes(), 0644, 0, 0);
        RichTree.file(Files.createDirectories(root.resolve("f")).resolve("inside"), "now a dir".getBytes(), 0644, 0, 0);
        RichTree.file(root.resolve("g"), "now a file".getBytes(), 0644, 0, 0);
        RichTree.file(Files.createDirectories(root.resolve("s")).resolve("inner"), "inner".getBytes(), 0644, 0, 0);
    }

    @Test
    void deletingFlavourRemovesLowerEntries() throws Exception {
        Path tree = Files.createDirectories(work.resolve("tree"));
        lower(tree);
        ApplyResult r = Layers.applyTo(tree, Whiteouts.DELETE, List.of(), changes().stream(), ApplyOptions.DEFAULTS);
        Path want = Files.createDirectories(work.resolve("want"));
        expected(want);
        TreeAssert.assertSameTree(want, tree);
        assertThat(r.entries()).isEqualTo(14);
    }

    @Test
    void overlayFlavourWritesOverlayWhiteoutsThatMountAsDeletions() throws Exception {
        Path lower = Files.createDirectories(work.resolve("lower"));
        lower(lower);
        Path upper = Files.createDirectories(work.resolve("upper"));
        Layers.applyTo(upper, Whiteouts.OVERLAY, List.of(lower), changes().stream(), ApplyOptions.DEFAULTS);

        Stat c = Stat.lstat(upper.resolve("c"));
        assertThat(c.isCharDevice()).isTrue();
        assertThat(c.rdev()).isZero();
        assertThat(Stat.lstat(upper.resolve("a/x")).isCharDevice()).isTrue();
        assertThat(FileOps.getXattr(upper.resolve("b"), "trusted.overlay.opaque")).containsExactly('y');
        assertThat(FileOps.getXattr(upper.resolve("d"), "trusted.overlay.opaque")).containsExactly('y');
        assertThat(upper.resolve("a/y")).doesNotExist();

        Path work2 = Files.createDirectories(work.resolve("ovl-work"));
        Path merged = Files.createDirectories(work.resolve("merged"));
        Mounter.mountAll(List.of(new Mount("overlay", "overlay", List.of("workdir=" + work2, "upperdir=" + upper,
                "lowerdir=" + lower, "index=off"))), merged);
        try {
            Path want = Files.createDirectories(work.resolve("want"));
            expected(want);
            TreeAssert.assertSameTree(want, merged);
        } finally {
            Mounter.unmount(merged);
        }
    }

    @Test
    void implicitParentsTakeMetadataFromTheNearestParentLayer() throws Exception {
        Path lower = RichTree.dir(work.resolve("lower/p/q"), 0711, 5, 6);
        RichTree.dir(work.resolve("lower/p"), 0750, 7, 8);
        Path upper = Files.createDirectories(work.resolve("upper"));
        Layers.applyTo(upper, Whiteouts.OVERLAY, List.of(work.resolve("lower")),
                new LayerBuilder().file("p/q/file", "f").file("new/dir/file", "n").stream(), ApplyOptions.DEFAULTS);
        Stat q = Stat.lstat(upper.resolve("p/q"));
        assertThat(q.permissions()).isEqualTo(0711);
        assertThat(q.uid()).isEqualTo(5);
        assertThat(Stat.lstat(upper.resolve("p")).permissions()).isEqualTo(0750);
        assertThat(Stat.lstat(upper.resolve("new/dir")).permissions()).isEqualTo(0755);
        assertThat(Files.readString(upper.resolve("p/q/file"))).isEqualTo("f");
        assertThat(lower).exists();
    }

    @Test
    void hardLinksJoinEntriesOfTheTree() throws Exception {
        Path tree = Files.createDirectories(work.resolve("tree"));
        Layers.applyTo(tree, Whiteouts.DELETE, List.of(),
                new LayerBuilder().file("orig", "data").hardlink("again", "orig").hardlink("./dir/../third", "./orig").stream(),
                ApplyOptions.DEFAULTS);
        assertThat(Stat.lstat(tree.resolve("orig")).nlink()).isEqualTo(3);
        assertThat(Stat.lstat(tree.resolve("third")).ino()).isEqualTo(Stat.lstat(tree.resolve("orig")).ino());
        assertThatThrownBy(() -> Layers.applyTo(tree, Whiteouts.DELETE, List.of(),
                new LayerBuilder().hardlink("dangling", "missing").stream(), ApplyOptions.DEFAULTS))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("\"missing\", which is not in");
    }

    @Test
    void aDirectoryEntryMergesIntoAnExistingDirectory() throws Exception {
        Path tree = Files.createDirectories(work.resolve("tree"));
        RichTree.file(Files.createDirectories(tree.resolve("keep")).resolve("old"), "old".getBytes(), 0644, 0, 0);
        Layers.applyTo(tree, Whiteouts.DELETE, List.of(),
                new LayerBuilder().entry(io.strata.codec.tar.TarEntry.of("keep/", io.strata.codec.tar.EntryType.DIRECTORY,
                        0700, 9, 9, 0, LayerBuilder.T, ""), null).stream(), ApplyOptions.DEFAULTS);
        assertThat(tree.resolve("keep/old")).hasContent("old");
        Stat st = Stat.lstat(tree.resolve("keep"));
        assertThat(st.permissions()).isEqualTo(0700);
        assertThat(st.uid()).isEqualTo(9);
        assertThat(st.mtime()).isEqualTo(LayerBuilder.T);
    }
}
