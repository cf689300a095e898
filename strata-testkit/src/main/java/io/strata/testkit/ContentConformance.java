package io.strata.testkit;

import static io.strata.testkit.Tree.all;
import static io.strata.testkit.Tree.chown;
import static io.strata.testkit.Tree.dir;
import static io.strata.testkit.Tree.file;
import static io.strata.testkit.Tree.link;
import static io.strata.testkit.Tree.removeAll;
import static io.strata.testkit.Tree.rename;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.Mount;
import io.strata.api.UnavailableException;
import io.strata.fs.Mounter;
import io.strata.fs.Stat;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * containerd's suite, second part: what a mounted snapshot holds across layers (changed, removed,
 * renamed and special files, owners and permissions, read-only views, deep stacks).
 */
public abstract class ContentConformance extends LifecycleConformance {

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void layerFileUpdate(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            e.checkLayers(
                    all(dir("/etc", 0700), file("/etc/hosts", "mydomain 10.0.0.1", 0644), file("/etc/profile", "PATH=/usr/bin", 0644)),
                    all(file("/etc/hosts", "mydomain 10.0.0.2", 0644), file("/etc/profile", "PATH=/usr/bin", 0666),
                            dir("/root", 0700), file("/root/.bashrc", "PATH=/usr/sbin:/usr/bin", 0644)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void removeDirectoryInLowerLayer(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            e.checkLayers(
                    all(dir("/lib", 0700), file("/lib/hidden", "", 0644)),
                    all(removeAll("/lib"), dir("/lib", 0700), file("/lib/not-hidden", "", 0644)),
                    all(file("/lib/newfile", "", 0644)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void chownInChild(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            e.checkLayers(
                    all(dir("/opt", 0700), dir("/opt/a", 0700), dir("/opt/a/b", 0700), file("/opt/a/b/file.txt", "hello", 0644)),
                    all(chown("/opt", 1, 1), chown("/opt/a", 1, 1), chown("/opt/a/b", 1, 1), chown("/opt/a/b/file.txt", 1, 1)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void directoryPermissionOnCommit(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            e.checkLayers(
                    all(dir("/dir1", 0700), dir("/dir2", 0700), dir("/dir3", 0700), dir("/dir4", 0700),
                            file("/dir4/f1", "...", 0644), dir("/dir5", 0700), file("/dir5/f1", "...", 0644),
                            chown("/dir1", 1, 1), chown("/dir2", 1, 1), chown("/dir3", 1, 1), chown("/dir5", 1, 1),
                            chown("/dir5/f1", 1, 1), Tree.chmod("/dir1", 02755), Tree.chmod("/dir4", 01777)),
                    all(chown("/dir2", 0, 0), removeAll("/dir3"), chown("/dir4", 1, 1), chown("/dir4/f1", 1, 1)),
                    all(dir("/dir3", 0700), chown("/dir3", 1, 1), removeAll("/dir5"), dir("/dir5", 0700), chown("/dir5", 1, 1)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void deletedFilesInChildSnapshot(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            e.checkLayers(
                    all(file("/foo", "foo\n", 0777), file("/foobar", "foobar\n", 0777)),
                    all(removeAll("/foobar")),
                    all());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void moveFileFromLowerLayer(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            e.checkLayers(
                    all(dir("/dir1", 0700), file("/dir1/f1", "Hello", 0644), dir("dir2", 0700), file("dir2/f2", "...", 0644)),
                    all(dir("/dir3", 0700), file("/dir3/f1", "Hello", 0644), removeAll("/dir1"),
                            link("dir2/f2", "dir3/f2"), removeAll("dir2/f2")));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void renameInChild(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            e.checkLayers(
                    all(dir("/dir1", 0700), dir("/somefiles", 0700), file("/somefiles/f1", "was here first!", 0644),
                            file("/somefiles/f2", "nothing interesting", 0644)),
                    all(rename("/dir1", "/dir2"), file("/somefiles/f1-overwrite", "new content 1", 0644),
                            rename("/somefiles/f1-overwrite", "/somefiles/f1"), rename("/somefiles/f2", "/somefiles/f3")));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void specialFilesSurviveLayers(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            e.checkLayers(
                    all(dir("/bin", 0755), file("/bin/su", "#!", 04755), file("/bin/wall", "#!", 02755),
                            dir("/tmp", 01777), Tree.symlink("../bin/su", "/tmp/su-link"), Tree.symlink("/nowhere", "/dangling"),
                            root -> io.strata.fs.FileOps.mkfifo(root.resolve("fifo"), 0600),
                            root -> io.strata.fs.FileOps.mknod(root.resolve("null"), 0020666, 1, 3),
                            root -> io.strata.fs.FileOps.setXattr(root.resolve("bin/su"), "user.note", new byte[] {0, 1, (byte) 0xff}),
                            file("/hard-a", "shared", 0640), link("/hard-a", "/hard-b")),
                    all(Tree.chmod("/bin/su", 0755), file("/tmp/new", "x", 0600), removeAll("/dangling")));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void viewsAreReadOnly(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            String c1 = e.commitLayer("c1", "", file("/one", "1", 0644));
            String c2 = e.commitLayer("c2", c1, file("/two", "2", 0644));
            for (String parent : List.of("", c1, c2)) {
                String view = e.key("view-of-" + (parent.isEmpty() ? "nothing" : Path.of(parent).getFileName()));
                List<Mount> m = e.sn.view(view, parent, GC_ROOT);
                Path mp = Files.createDirectories(e.work.resolve(Path.of(view).getFileName() + "-mount"));
                Mounter.mountAll(m, mp);
                try {
                    assertThatThrownBy(() -> Files.writeString(mp.resolve("testfile"), "testcontent"))
                            .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only");
                } finally {
                    Mounter.unmountAll(mp);
                }
                e.sn.remove(view);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void statInWalk(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            String prefix = "stats-in-walk-";
            e.sn.prepare(prefix + "c1-a", "", GC_ROOT);
            e.sn.commit(prefix + "c1", prefix + "c1-a", GC_ROOT);
            e.sn.prepare(prefix + "c2-a", prefix + "c1", GC_ROOT);
            e.sn.commit(prefix + "c2", prefix + "c2-a", GC_ROOT);
            e.sn.prepare(prefix + "a1", prefix + "c2", GC_ROOT);
            e.sn.view(prefix + "v1", prefix + "c2", GC_ROOT);
            List<String> seen = new ArrayList<>();
            e.sn.walk(si -> {
                assertThat(e.sn.stat(si.name())).isEqualTo(si);
                seen.add(si.name());
            });
            assertThat(seen).containsExactlyInAnyOrder(prefix + "c1", prefix + "c2", prefix + "a1", prefix + "v1");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void closeTwice(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            e.sn.prepare("closeTwice-prepare", "", GC_ROOT);
            e.sn.commit("closeTwice", "closeTwice-prepare", GC_ROOT);
            e.sn.remove("closeTwice");
            e.sn.close();
            e.sn.close();
            assertThatThrownBy(() -> e.sn.stat("closeTwice")).isInstanceOf(UnavailableException.class);
            assertThatThrownBy(() -> e.sn.prepare("after-close", "")).isInstanceOf(UnavailableException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void rootPermissionWhateverTheUmask(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            int old = Umask.set(0077);
            try {
                Path preparing = e.prepareMounted("preparing", "");
                assertThat(Stat.lstat(preparing).mode() & 07777).isEqualTo(0755);
                Mounter.unmountAll(preparing);
                String c = e.commitLayer("c", "", all());
                Path child = e.prepareMounted("child", c);
                assertThat(Stat.lstat(child).mode() & 07777).isEqualTo(0755);
            } finally {
                Umask.set(old);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void mount128Layers(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            List<Tree.Op> layers = new ArrayList<>();
            layers.add(all(file("/bottom", "way at the bottom\n", 0777), file("/overwriteme", "FIRST!\n", 0777),
                    dir("/addhere", 0755), dir("/onlyme", 0755), file("/onlyme/bottom", "bye!\n", 0777)));
            for (int i = 1; i <= 127; i++) {
                layers.add(all(file("/overwriteme", i + " WAS HERE!\n", 0777), file("/addhere/file-" + i, "same\n", 0755),
                        removeAll("/onlyme"), dir("/onlyme", 0755), file("/onlyme/file-" + i, "only me!\n", 0777)));
            }
            Path flat = Files.createDirectory(e.work.resolve("flat"));
            FlatRoot.init(flat);
            String parent = "";
            for (int i = 0; i < layers.size(); i++) {
                Path preparing = e.prepareMounted("prepare-layer-" + i, parent);
                try {
                    TreeAssert.assertSameTree(flat, preparing);
                    layers.get(i).apply(flat);
                    layers.get(i).apply(preparing);
                    TreeAssert.assertSameTree(flat, preparing);
                } finally {
                    Mounter.unmountAll(preparing);
                }
                parent = e.key("committed-" + i);
                e.sn.commit(parent, preparing.toString(), GC_ROOT);
            }
            Path view = Files.createDirectory(e.work.resolve("fullview"));
            List<Mount> mounts = e.sn.view(view.toString(), parent, GC_ROOT);
            Mounter.mountAll(mounts, view);
            try {
                TreeAssert.assertSameTree(flat, view);
            } finally {
                Mounter.unmountAll(view);
            }
        }
    }
}
