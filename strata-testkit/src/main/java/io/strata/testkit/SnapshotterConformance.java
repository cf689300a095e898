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

import io.strata.api.AlreadyExistsException;
import io.strata.api.FailedPreconditionException;
import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Kind;
import io.strata.api.Mount;
import io.strata.api.NotFoundException;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.api.UnavailableException;
import io.strata.api.Usage;
import io.strata.fs.Mounter;
import io.strata.fs.Stat;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance suite every snapshotter must pass, in process and through the daemon: the cases
 * of containerd's {@code snapshots/testsuite} plus Strata's own (bad input, keys, usage,
 * concurrency, persistence). Subclass it and return the fixtures to run from {@link #fixtures()}.
 *
 * <p>Tests mount for real and must run as root. Keys are, as in containerd's suite, absolute paths
 * under the test's work directory, so they contain '/'.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SnapshotterConformance {

    /** The snapshotters to run the suite on. */
    protected abstract Stream<SnapshotterFixture> fixtures();

    private static final SnapshotOption GC_ROOT =
            SnapshotOption.labels(Map.of("containerd.io/gc.root", Instant.now().toString()));

    /** One test's world: a fresh snapshotter on an empty root and a work directory for mounts. */
    protected static final class Env implements AutoCloseable {
        final Path base;
        final Path root;
        final Path work;
        final SnapshotterFixture fixture;
        Snapshotter sn;

        Env(SnapshotterFixture fixture) throws Exception {
            this.fixture = fixture;
            this.base = Files.createTempDirectory("strata-suite-");
            this.root = Files.createDirectory(base.resolve("root"));
            this.work = Files.createDirectory(base.resolve("work"));
            try {
                this.sn = fixture.open(root);
            } catch (Exception | Error e) {
                Tree.deleteTree(base); // no close() will come to remove it
                throw e;
            }
        }

        String key(String name) {
            return work.resolve(name).toString();
        }

        /** Prepares {@code name} on {@code parent}, mounts it at a directory of the same name, returns it. */
        Path prepareMounted(String name, String parent) throws IOException {
            Path target = Files.createDirectories(work.resolve(name));
            List<Mount> mounts = sn.prepare(target.toString(), parent, GC_ROOT);
            assertThat(mounts).isNotEmpty();
            Mounter.mountAll(mounts, target);
            return target;
        }

        /** Makes a committed snapshot on {@code parent} with {@code op} applied; returns its name. */
        String commitLayer(String name, String parent, Tree.Op op) throws IOException {
            Path p = prepareMounted(name + "-active", parent);
            try {
                op.apply(p);
            } finally {
                Mounter.unmountAll(p);
            }
            String committed = key(name);
            sn.commit(committed, p.toString(), GC_ROOT);
            return committed;
        }

        /** Asserts that a view of {@code name} looks exactly like {@code expected}. */
        void checkSnapshot(String name, Path expected) throws IOException {
            String view = name + "-view";
            Path target = Files.createTempDirectory(work, "check");
            sn.view(view, name, GC_ROOT);
            try {
                Mounter.mountAll(sn.mounts(view), target);
                try {
                    TreeAssert.assertSameTree(expected, target);
                } finally {
                    Mounter.unmountAll(target);
                }
            } finally {
                sn.remove(view);
                Files.delete(target);
            }
        }

        /** containerd's checkSnapshots: stack the layers, check each against a flat directory. */
        void checkLayers(Tree.Op... layers) throws IOException {
            Path flat = Files.createTempDirectory(work, "flat");
            FlatRoot.init(flat);
            String parent = "";
            for (int i = 0; i < layers.length; i++) {
                String s = commitLayer("layer-" + i, parent, layers[i]);
                layers[i].apply(flat);
                checkSnapshot(s, flat);
                parent = s;
            }
        }

        @Override
        public void close() throws Exception {
            try (var s = Files.walk(work)) {
                for (Path p : s.sorted(Collections.reverseOrder()).toList()) {
                    if (Files.isDirectory(p)) {
                        Mounter.unmountAll(p);
                    }
                }
            }
            sn.close();
            Tree.deleteTree(base);
        }
    }

    protected static Env env(SnapshotterFixture f) throws Exception {
        return new Env(f);
    }

    // ---- containerd's suite ----------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void basicLifecycle(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            Tree.Op initial = all(file("/foo", "foo\n", 0777), dir("/a", 0755), dir("/a/b", 0755), dir("/a/b/c", 0755));
            Tree.Op diff = all(file("/bar", "bar\n", 0777), file("/foo", "bar\n", 0777), removeAll("/a/b"));

            Path preparing = e.prepareMounted("preparing", "");
            initial.apply(preparing);
            Mounter.unmountAll(preparing);
            String committed = e.key("committed");
            e.sn.commit(committed, preparing.toString(), GC_ROOT);

            Info si = e.sn.stat(committed);
            assertThat(si.parent()).isEmpty();
            assertThat(si.kind()).isEqualTo(Kind.COMMITTED);
            assertThatThrownBy(() -> e.sn.stat(preparing.toString())).isInstanceOf(NotFoundException.class);

            Path next = e.prepareMounted("nextlayer", committed);
            Path flat = Files.createDirectory(e.work.resolve("flat"));
            FlatRoot.init(flat);
            initial.apply(flat);
            TreeAssert.assertSameTree(flat, next);
            diff.apply(next);
            Mounter.unmountAll(next);

            Info ni = e.sn.stat(next.toString());
            assertThat(ni.parent()).contains(committed);
            assertThat(ni.kind()).isEqualTo(Kind.ACTIVE);

            String nextCommitted = e.key("committed-next");
            e.sn.commit(nextCommitted, next.toString(), GC_ROOT);
            Info si2 = e.sn.stat(nextCommitted);
            assertThat(si2.parent()).contains(committed);
            assertThat(si2.kind()).isEqualTo(Kind.COMMITTED);
            assertThatThrownBy(() -> e.sn.stat(next.toString())).isInstanceOf(NotFoundException.class);

            Map<String, Info> walked = new HashMap<>();
            e.sn.walk(i -> walked.put(i.name(), i));
            assertThat(walked).containsEntry(committed, si).containsEntry(nextCommitted, si2).hasSize(2);

            Path nextnext = Files.createDirectory(e.work.resolve("nextnextlayer"));
            Mounter.mountAll(e.sn.view(nextnext.toString(), nextCommitted, GC_ROOT), nextnext);
            diff.apply(flat);
            TreeAssert.assertSameTree(flat, nextnext);
            Mounter.unmountAll(nextnext);

            e.sn.remove(nextnext.toString());
            assertThatThrownBy(() -> e.sn.remove(committed))
                    .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("remove");
            e.sn.remove(nextCommitted);
            e.sn.remove(committed);
            assertThat(e.sn.list()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void statActive(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            Path preparing = e.prepareMounted("preparing", "");
            Files.writeString(preparing.resolve("foo"), "foo\n");
            Mounter.unmountAll(preparing);
            Info si = e.sn.stat(preparing.toString());
            assertThat(si.name()).isEqualTo(preparing.toString());
            assertThat(si.kind()).isEqualTo(Kind.ACTIVE);
            assertThat(si.parent()).isEmpty();
            assertThat(si.created()).isEqualTo(si.updated());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void statCommitted(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            String committed = e.commitLayer("committed", "", file("/foo", "foo\n", 0777));
            Info si = e.sn.stat(committed);
            assertThat(si.name()).isEqualTo(committed);
            assertThat(si.kind()).isEqualTo(Kind.COMMITTED);
            assertThat(si.parent()).isEmpty();
            assertThat(si.labels()).containsKey("containerd.io/gc.root");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void transitivity(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            String snapA = e.commitLayer("snapA", "", file("/foo", "foo\n", 0777));
            String snapB = e.commitLayer("snapB", snapA, file("/foo", "foo bar\n", 0777));
            Info siA = e.sn.stat(snapA);
            Info siB = e.sn.stat(snapB);
            Info siParentB = e.sn.stat(siB.parent().orElseThrow());
            assertThat(siA.parent()).isEmpty();
            assertThat(siB.parent()).contains(snapA);
            assertThat(siParentB.parent()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void prepareAndViewFailures(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            String snapA = e.commitLayer("snapA", "", all());
            String newLayer = e.key("newlayer");
            e.sn.prepare(newLayer, snapA, GC_ROOT);
            assertThatThrownBy(() -> e.sn.view(newLayer, snapA, GC_ROOT)).isInstanceOf(AlreadyExistsException.class);
            assertThatThrownBy(() -> e.sn.prepare(newLayer, snapA, GC_ROOT)).isInstanceOf(AlreadyExistsException.class);
            assertThatThrownBy(() -> e.sn.prepare(snapA, "", GC_ROOT)).isInstanceOf(AlreadyExistsException.class);
            String viewLayer = e.key("viewLayer");
            e.sn.view(viewLayer, snapA, GC_ROOT);
            assertThatThrownBy(() -> e.sn.view(viewLayer, snapA, GC_ROOT)).isInstanceOf(AlreadyExistsException.class);

            List<Info> before = e.sn.list();
            assertThatThrownBy(() -> e.sn.prepare(e.key("x"), e.key("no-such-parent")))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("no-such-parent");
            assertThatThrownBy(() -> e.sn.view(e.key("x"), e.key("no-such-parent")))
                    .isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> e.sn.prepare(e.key("x"), newLayer))
                    .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("not committed");
            assertThatThrownBy(() -> e.sn.view(e.key("x"), viewLayer))
                    .isInstanceOf(FailedPreconditionException.class);
            assertThat(e.sn.list()).containsExactlyInAnyOrderElementsOf(before);
        }
    }

    private static void baseSnapshots(Snapshotter sn) {
        sn.prepare("c1-a", "", GC_ROOT);
        sn.commit("c1", "c1-a", GC_ROOT);
        sn.prepare("c2-a", "c1", GC_ROOT);
        sn.commit("c2", "c2-a", GC_ROOT);
        sn.prepare("a1", "c2", GC_ROOT);
        sn.prepare("a2", "", GC_ROOT);
        sn.view("v1", "c2", GC_ROOT);
        sn.view("v2", "", GC_ROOT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void updateLabels(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            Instant t1 = Instant.now();
            baseSnapshots(e.sn);
            Instant t2 = Instant.now();
            record Case(String name, Kind kind, String parent) {
            }
            for (Case tc : List.of(new Case("c1", Kind.COMMITTED, ""), new Case("c2", Kind.COMMITTED, "c1"),
                    new Case("a1", Kind.ACTIVE, "c2"), new Case("a2", Kind.ACTIVE, ""),
                    new Case("v1", Kind.VIEW, "c2"), new Case("v2", Kind.VIEW, ""))) {
                Info st = e.sn.stat(tc.name());
                assertThat(st.created()).isBetween(t1, t2);
                assertThat(st.updated()).isEqualTo(st.created());
                assertThat(st.kind()).isEqualTo(tc.kind());
                assertThat(st.parentOrEmpty()).isEqualTo(tc.parent());
                assertThat(st.name()).isEqualTo(tc.name());
                Instant createdAt = st.created();
                String rootTime = Instant.now().toString();

                Map<String, String> expected = Map.of("l1", "v1", "l2", "v2", "l3", "v3", "containerd.io/gc.root", rootTime);
                Info asked = new Info(tc.name(), tc.kind(), java.util.Optional.of("doesnotexist"), expected, st.created(), st.updated());
                Instant u1 = Instant.now();
                st = e.sn.update(asked);
                Instant u2 = Instant.now();
                assertThat(st.created()).isEqualTo(createdAt);
                assertThat(st.updated()).isBetween(u1, u2);
                assertThat(st.kind()).isEqualTo(tc.kind());
                assertThat(st.parentOrEmpty()).isEqualTo(tc.parent());
                assertThat(st.labels()).isEqualTo(expected);
                assertThat(e.sn.stat(tc.name())).isEqualTo(st);

                st = e.sn.update(st.withLabels(Map.of("l1", "updated", "l4", "v4")), "labels.l1", "labels.l2");
                assertThat(st.labels()).isEqualTo(Map.of("l1", "updated", "l3", "v3", "containerd.io/gc.root", rootTime));

                Map<String, String> replaced = Map.of("l4", "v4", "containerd.io/gc.root", rootTime);
                st = e.sn.update(st.withLabels(replaced), "labels");
                assertThat(st.labels()).isEqualTo(replaced);

                Info before = e.sn.stat(tc.name());
                assertThatThrownBy(() -> e.sn.update(Info.forUpdate(tc.name(), Map.of()), "parent"))
                        .isInstanceOf(InvalidArgumentException.class);
                assertThatThrownBy(() -> e.sn.update(Info.forUpdate(tc.name(), Map.of("big", "x".repeat(5000)))))
                        .isInstanceOf(InvalidArgumentException.class);
                assertThat(e.sn.stat(tc.name())).isEqualTo(before);
            }
            assertThatThrownBy(() -> e.sn.update(Info.forUpdate("nope", Map.of())))
                    .isInstanceOf(NotFoundException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void removeAndReuseKeys(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            e.sn.prepare("committed-a", "", GC_ROOT);
            e.sn.commit("committed-1", "committed-a", GC_ROOT);
            e.sn.prepare("reuse-1", "committed-1", GC_ROOT);
            e.sn.remove("reuse-1");
            e.sn.view("reuse-1", "committed-1", GC_ROOT);
            e.sn.remove("reuse-1");
            e.sn.prepare("reuse-1", "", GC_ROOT);
            e.sn.remove("committed-1");
            e.sn.commit("committed-1", "reuse-1", GC_ROOT);
            assertThat(e.sn.stat("committed-1").kind()).isEqualTo(Kind.COMMITTED);
            assertThatThrownBy(() -> e.sn.remove("reuse-1")).isInstanceOf(NotFoundException.class);
            e.sn.cleanup();
            e.sn.cleanup();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void removeWithChildrenFails(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            String base = e.commitLayer("base", "", all());
            String inter = e.key("committed-inter");
            e.sn.prepare(e.key("intermediate"), base, GC_ROOT);
            e.sn.commit(inter, e.key("intermediate"), GC_ROOT);
            String top = e.key("toplayer");
            e.sn.prepare(top, inter, GC_ROOT);
            List<Info> before = e.sn.list();
            assertThatThrownBy(() -> e.sn.remove(inter)).isInstanceOf(FailedPreconditionException.class);
            assertThatThrownBy(() -> e.sn.remove(base)).isInstanceOf(FailedPreconditionException.class);
            assertThat(e.sn.list()).containsExactlyInAnyOrderElementsOf(before);
            e.sn.remove(top);
            e.sn.remove(inter);
            e.sn.remove(base);
            assertThat(e.sn.list()).isEmpty();
        }
    }

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

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void walkFilters(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            SnapshotOption opt = SnapshotOption.labels(Map.of("containerd.io/gc.root", "check-walk"));
            e.sn.prepare("a-np", "", opt);
            e.sn.prepare("p-tmp", "", opt);
            e.sn.commit("p", "p-tmp", opt);
            e.sn.prepare("a", "p", opt);
            e.sn.view("v", "p", opt);
            e.sn.prepare("p-wl-tmp", "", opt);
            e.sn.commit("p-wl", "p-wl-tmp", SnapshotOption.labels(Map.of("l", "1", "containerd.io/gc.root", "check-walk")));
            e.sn.prepare("a-wl", "p-wl", SnapshotOption.labels(Map.of("l", "2", "containerd.io/gc.root", "check-walk")));
            e.sn.view("v-wl", "p-wl", SnapshotOption.labels(Map.of("l", "3", "containerd.io/gc.root", "check-walk")));
            e.sn.prepare("a-np-wl", "", SnapshotOption.labels(Map.of("l", "2", "containerd.io/gc.root", "check-walk", "x.y/z", "dotted")));

            record Case(List<String> matches, String... filters) {
            }
            List<Case> cases = List.of(
                    new Case(List.of("a-np", "p", "a", "v", "p-wl", "a-wl", "v-wl", "a-np-wl"), "labels.\"containerd.io/gc.root\"==check-walk"),
                    new Case(List.of("a-np", "a", "a-wl", "a-np-wl"), "kind==active,labels.\"containerd.io/gc.root\"==check-walk"),
                    new Case(List.of("v", "v-wl"), "kind==view,labels.\"containerd.io/gc.root\"==check-walk"),
                    new Case(List.of("p", "p-wl"), "kind==committed,labels.\"containerd.io/gc.root\"==check-walk"),
                    new Case(List.of("p", "a-np-wl"), "name==p", "name==a-np-wl"),
                    new Case(List.of("a-wl"), "name==a-wl,labels.l"),
                    new Case(List.of("a", "v"), "parent==p"),
                    new Case(List.of("a", "v", "a-wl", "v-wl"), "parent!=\"\",labels.\"containerd.io/gc.root\"==check-walk"),
                    new Case(List.of("p-wl", "a-wl", "v-wl", "a-np-wl"), "labels.l"),
                    new Case(List.of("a-wl", "a-np-wl"), "labels.l==2"),
                    new Case(List.of("a-wl", "a-np-wl"), "labels.l==\"2\""),
                    new Case(List.of("a-np", "a", "a-wl", "a-np-wl"), "name~=^a"),
                    new Case(List.of("p-wl", "a-wl", "v-wl", "a-np-wl"), "name~=\"-wl$\""),
                    new Case(List.of("a-np", "a", "v", "a-wl", "v-wl", "a-np-wl"), "kind!=committed"),
                    new Case(List.of("a-np-wl"), "labels.\"x.y/z\"==dotted"),
                    new Case(List.of("a-np-wl"), "labels.\"x.y/z\"~=/^dot/"),
                    new Case(List.of("a-np", "p", "a", "v", "p-wl", "a-wl", "v-wl", "a-np-wl")),
                    new Case(List.of(), "name==nothing-is-called-this"));
            for (Case c : cases) {
                assertThat(e.sn.list(c.filters()).stream().map(Info::name))
                        .as("walk %s", List.of(c.filters()))
                        .containsExactlyInAnyOrderElementsOf(c.matches());
            }
            for (String bad : List.of("name==", "labels.x.y/z==dotted", "kind===active", "labels.", "name~=\"[\"", ",", "name==a,", "\"unterminated")) {
                assertThatThrownBy(() -> e.sn.list(bad)).as("filter %s", bad).isInstanceOf(InvalidArgumentException.class);
            }
        }
    }

    // ---- containerd 2.2's rebase (RebaseCases) --------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void rebaseStacksAnActiveSnapshotOntoItsParentAtCommit(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            RebaseCases.stacksAtCommit(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void rebaseRefusesWhatContainerdRefuses(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            RebaseCases.refusals(e);
        }
    }

    // ---- Strata's own -----------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void keysWithSlashesAndOtherCharacters(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            List<String> keys = List.of("a/b/c", "/abs/path", "with space", "colon:and=equals,comma", "..", ".", "unicode-快照-✓",
                    "sha256:" + "ab".repeat(32), "quote\"and'apostrophe", "new\nline", "x".repeat(4000));
            String parent = "";
            for (String k : keys) {
                e.sn.prepare(k + "-active", parent, GC_ROOT);
                e.sn.commit(k, k + "-active", GC_ROOT);
                assertThat(e.sn.stat(k).parentOrEmpty()).isEqualTo(parent);
                parent = k;
            }
            assertThat(e.sn.list().stream().map(Info::name)).containsExactlyInAnyOrderElementsOf(keys);
            assertThat(e.sn.list("name==\"with space\"")).extracting(Info::name).containsExactly("with space");
            assertThat(e.sn.list("parent==\"a/b/c\"")).extracting(Info::name).containsExactly("/abs/path");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void badInputChangesNothing(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            String base = e.commitLayer("base", "", file("/f", "x", 0644));
            String active = e.key("active");
            e.sn.prepare(active, base, GC_ROOT);
            String view = e.key("view");
            e.sn.view(view, base, GC_ROOT);
            List<Info> before = e.sn.list();

            assertThatThrownBy(() -> e.sn.prepare("", "")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("empty");
            assertThatThrownBy(() -> e.sn.view("", base)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> e.sn.prepare("k".repeat(4097), "")).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("4096");
            assertThatThrownBy(() -> e.sn.prepare("nul\0key", "")).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> e.sn.prepare("big-label", "", SnapshotOption.labels(Map.of("k", "v".repeat(4096)))))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("4096");
            assertThatThrownBy(() -> e.sn.commit(e.key("c"), view)).isInstanceOf(FailedPreconditionException.class);
            assertThatThrownBy(() -> e.sn.commit(e.key("c"), base)).isInstanceOf(FailedPreconditionException.class);
            assertThatThrownBy(() -> e.sn.commit(e.key("c"), e.key("missing"))).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> e.sn.commit(base, active)).isInstanceOf(AlreadyExistsException.class);
            assertThatThrownBy(() -> e.sn.commit(view, active)).isInstanceOf(AlreadyExistsException.class);
            assertThatThrownBy(() -> e.sn.commit("", active)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> e.sn.commit(e.key("c"), active, SnapshotOption.labels(Map.of("k".repeat(4097), ""))))
                    .isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> e.sn.remove(base)).isInstanceOf(FailedPreconditionException.class);
            assertThatThrownBy(() -> e.sn.remove(e.key("missing"))).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> e.sn.stat(e.key("missing"))).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> e.sn.usage(e.key("missing"))).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> e.sn.mounts(e.key("missing"))).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> e.sn.mounts(base)).isInstanceOf(FailedPreconditionException.class);

            assertThat(e.sn.list()).containsExactlyInAnyOrderElementsOf(before);
            e.sn.commit(e.key("c"), active);
            assertThat(e.sn.stat(e.key("c")).parent()).contains(base);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void usageOfActiveAndCommitted(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            Path p = e.prepareMounted("u", "");
            Usage empty = e.sn.usage(p.toString());
            assertThat(empty.inodes()).isGreaterThanOrEqualTo(1);
            byte[] mib = new byte[1 << 20];
            new java.util.Random(7).nextBytes(mib);
            Files.write(p.resolve("a"), mib);
            Files.createDirectory(p.resolve("d"));
            Files.write(p.resolve("d/b"), mib);
            Files.createLink(p.resolve("d/b-link"), p.resolve("d/b"));
            Usage active = e.sn.usage(p.toString());
            assertThat(active.size()).isGreaterThanOrEqualTo(empty.size() + 2L * mib.length);
            assertThat(active.size()).isLessThan(empty.size() + 3L * mib.length);
            assertThat(active.inodes()).isEqualTo(empty.inodes() + 3);
            // Committing while mounted is allowed; the usage is measured at that moment.
            String c = e.key("committed");
            e.sn.commit(c, p.toString(), GC_ROOT);
            Mounter.unmountAll(p);
            assertThat(e.sn.usage(c)).isEqualTo(active);

            Path child = e.prepareMounted("child", c);
            Usage childEmpty = e.sn.usage(child.toString());
            Files.write(child.resolve("c"), mib);
            Usage childUsage = e.sn.usage(child.toString());
            assertThat(childUsage.size()).isGreaterThanOrEqualTo(childEmpty.size() + mib.length);
            assertThat(childUsage.inodes()).isEqualTo(childEmpty.inodes() + 1);
            Mounter.unmountAll(child);
            assertThat(e.sn.usage(c)).as("committed usage is stored, not measured").isEqualTo(active);
            e.sn.view(e.key("v"), c);
            assertThat(e.sn.usage(e.key("v"))).isEqualTo(Usage.ZERO);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void commitWhileMountedKeepsContent(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            Path p = e.prepareMounted("live", "");
            Files.writeString(p.resolve("written-before-commit"), "kept");
            String c = e.key("c");
            e.sn.commit(c, p.toString());
            Mounter.unmountAll(p);
            Path v = Files.createDirectory(e.work.resolve("v"));
            Mounter.mountAll(e.sn.view(e.key("view"), c), v);
            try {
                assertThat(Files.readString(v.resolve("written-before-commit"))).isEqualTo("kept");
            } finally {
                Mounter.unmountAll(v);
            }
            assertThat(e.sn.stat(c).labels()).as("commit does not inherit labels").isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void persistsAcrossReopen(SnapshotterFixture f) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(f.durable(), "metastore is not durable");
        try (Env e = env(f)) {
            String c = e.commitLayer("c", "", file("/kept", "yes", 0600));
            e.sn.prepare(e.key("a"), c, SnapshotOption.labels(Map.of("k", "v")));
            List<Info> before = e.sn.list();
            Usage usage = e.sn.usage(c);
            e.sn.close();
            e.sn = f.reopen(e.root);
            assertThat(e.sn.list()).containsExactlyInAnyOrderElementsOf(before);
            assertThat(e.sn.usage(c)).isEqualTo(usage);
            Path mp = Files.createDirectory(e.work.resolve("m"));
            Mounter.mountAll(e.sn.mounts(e.key("a")), mp);
            try {
                assertThat(Files.readString(mp.resolve("kept"))).isEqualTo("yes");
            } finally {
                Mounter.unmountAll(mp);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void concurrentPrepareCommitRemove(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            e.sn.prepare("shared-a", "", GC_ROOT);
            e.sn.commit("shared", "shared-a", GC_ROOT);
            int threads = 8;
            int rounds = 25;
            Set<String> expected = ConcurrentHashMap.newKeySet();
            expected.add("shared");
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int tid = t;
                    futures.add(pool.submit(() -> {
                        for (int r = 0; r < rounds; r++) {
                            String k = "t" + tid + "-r" + r;
                            e.sn.prepare(k + "-a", "shared", GC_ROOT);
                            e.sn.commit(k, k + "-a", GC_ROOT);
                            e.sn.view(k + "-v", k);
                            if (r % 3 == 0) {
                                e.sn.remove(k + "-v");
                                e.sn.remove(k);
                            } else {
                                expected.add(k);
                                expected.add(k + "-v");
                            }
                            // Everyone races for the same name: exactly one wins each round.
                            String raced = "race-" + r;
                            try {
                                e.sn.prepare(raced, "shared");
                                expected.add(raced);
                            } catch (AlreadyExistsException lost) {
                                // another thread won
                            }
                            e.sn.list("parent==shared");
                        }
                        return null;
                    }));
                }
                for (Future<?> fu : futures) {
                    fu.get();
                }
            }
            List<String> names = e.sn.list().stream().map(Info::name).toList();
            assertThat(new HashSet<>(names)).hasSameSizeAs(names);
            assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
            e.sn.cleanup();
            for (int r = 0; r < rounds; r++) {
                assertThat(e.sn.stat("race-" + r).kind()).isEqualTo(Kind.ACTIVE);
            }
        }
    }

    /** Keeps the flat comparison directory's root like a snapshot root: mode 0755. */
    static final class FlatRoot {
        static void init(Path flat) throws IOException {
            io.strata.fs.FileOps.chmod(flat, 0755);
        }
    }
}
