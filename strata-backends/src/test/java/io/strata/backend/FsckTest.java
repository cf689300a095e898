package io.strata.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.strata.api.Kind;
import io.strata.api.Snapshotter;
import io.strata.backend.Fsck.Finding;
import io.strata.backend.Fsck.Options;
import io.strata.backend.Fsck.Problem;
import io.strata.backend.directory.DirectorySnapshotter;
import io.strata.fs.LoopMounts;
import io.strata.fs.Mounter;
import io.strata.fs.Stat;
import io.strata.testkit.Tree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Breaks a store on purpose in every way {@link Fsck} knows, and checks each is found, then repaired or refused. */
class FsckTest {
    private static final Options CHECK = new Options(false, true);
    private static final Options REPAIR = new Options(true, true);

    private Path root;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory("strata-fsck");
    }

    @AfterEach
    void tearDown() throws Exception {
        Tree.deleteTree(root);
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native", "block"})
    void aHealthyStoreIsClean(String backend) throws Exception {
        try (Snapshotter sn = Backends.open(backend, root)) {
            sn.prepare("a", "");
            write(sn, "a", "hello");
            sn.commit("base", "a");
            sn.prepare("work", "base");
            sn.view("look", "base");
        }
        assertThat(Fsck.run(backend, root, CHECK).findings()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native", "block"})
    void activeRecordWithoutDataIsRemovedCommittedIsOnlyReported(String backend) throws Exception {
        long activeId;
        long committedId;
        try (Snapshotter sn = Backends.open(backend, root)) {
            sn.prepare("c-active", "");
            write(sn, "c-active", "data");
            sn.commit("committed", "c-active");
            sn.prepare("active", "committed");
            activeId = id(sn, "active");
            committedId = id(sn, "committed");
        }
        Tree.deleteTree(dir(backend, activeId));
        Tree.deleteTree(dir(backend, committedId));

        assertThat(problems(Fsck.run(backend, root, CHECK).findings())).containsExactlyInAnyOrder(
                "MISSING_DATA active", "MISSING_DATA committed");
        Fsck.Report repaired = Fsck.run(backend, root, REPAIR);
        assertThat(repaired.remaining()).singleElement().satisfies(f -> {
            assertThat(f.key()).isEqualTo("committed");
            assertThat(f.detail()).contains("never removed");
        });
        try (Snapshotter sn = Backends.open(backend, root)) {
            assertThat(sn.list()).extracting(i -> i.name()).containsExactly("committed");
        }
        assertThat(problems(Fsck.run(backend, root, CHECK).findings())).containsExactly("MISSING_DATA committed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native", "block"})
    void orphansAndTemporaryLeftoversAreRemoved(String backend) throws Exception {
        try (Snapshotter sn = Backends.open(backend, root)) {
            sn.prepare("kept", "");
        }
        Path snapshots = Backends.backendRoot(backend, root).resolve("snapshots");
        Files.createDirectories(snapshots.resolve("9999").resolve("fs"));
        Files.writeString(snapshots.resolve("9999").resolve("fs").resolve("f"), "x");
        Files.createDirectories(snapshots.resolve("new-crashed"));

        List<Finding> found = Fsck.run(backend, root, CHECK).findings();
        assertThat(found).extracting(Finding::problem).containsOnly(Problem.ORPHAN).hasSize(2);
        assertThat(found).extracting(Finding::detail).contains("temporary directory of an unfinished prepare");
        assertThat(Fsck.run(backend, root, REPAIR).remaining()).isEmpty();
        assertThat(snapshots.resolve("9999")).doesNotExist();
        assertThat(snapshots.resolve("new-crashed")).doesNotExist();
        assertThat(Fsck.run(backend, root, CHECK).clean()).isTrue();
        try (Snapshotter sn = Backends.open(backend, root)) {
            assertThat(sn.stat("kept").kind()).isEqualTo(Kind.ACTIVE);
        }
    }

    @Test
    void aParentIdPointingAtNoRecordFailsTheMetastoreCheck() throws Exception {
        try (Snapshotter sn = Backends.open("overlayfs", root)) {
            sn.prepare("p", "");
            sn.commit("parent", "p");
            sn.prepare("child", "parent");
        }
        sql("overlayfs", "PRAGMA foreign_keys = OFF", "UPDATE snapshots SET parent_id = 4242 WHERE key = 'child'");
        Fsck.Report r = Fsck.run("overlayfs", root, REPAIR);
        assertThat(r.remaining()).extracting(Finding::problem).containsExactly(Problem.METASTORE);
        assertThat(r.remaining().getFirst().detail()).contains("refers to a missing row");
    }

    @Test
    void aParentThatIsNotCommittedIsReported() throws Exception {
        try (Snapshotter sn = Backends.open("native", root)) {
            sn.prepare("p", "");
            sn.commit("parent", "p");
            sn.prepare("child", "parent");
        }
        sql("native", "UPDATE snapshots SET kind = 2 WHERE key = 'parent'"); // now "active"
        assertThat(problems(Fsck.run("native", root, REPAIR).remaining()))
                .containsExactlyInAnyOrder("METASTORE ", "BAD_PARENT child");
    }

    @Test
    void aCommittedBlockImageThatIsWritableIsMadeReadOnlyAgain() throws Exception {
        long committed;
        long active;
        try (Snapshotter sn = Backends.open("block", root)) {
            sn.prepare("a", "");
            sn.commit("base", "a");
            sn.prepare("b", "base");
            committed = id(sn, "base");
            active = id(sn, "b");
        }
        Path image = dir("block", committed).resolve("layer.img");
        Path activeImage = dir("block", active).resolve("layer.img");
        io.strata.fs.FileOps.chmod(image, 0644);
        io.strata.fs.FileOps.chmod(activeImage, 0444); // as a crash inside commit, after seal, leaves it

        assertThat(problems(Fsck.run("block", root, CHECK).findings()))
                .containsExactlyInAnyOrder("WRONG_STATE base", "WRONG_STATE b");
        assertThat(Fsck.run("block", root, REPAIR).remaining()).isEmpty();
        assertThat(Stat.lstat(image).permissions()).isEqualTo(0444);
        assertThat(Stat.lstat(activeImage).permissions()).isEqualTo(0644);
        assertThat(Fsck.run("block", root, CHECK).clean()).isTrue();
    }

    @Test
    void blockImagesLeftMountedByADeadApplierAreDetachedOthersAreNotTouched() throws Exception {
        Path applying = Files.createTempDirectory(Mounter.TEMP_PREFIX);
        Path removedWhileMounted = Files.createTempDirectory(Mounter.TEMP_PREFIX);
        Path container = Files.createTempDirectory("strata-fsck-container");
        try {
            try (Snapshotter sn = Backends.open("block", root)) {
                sn.prepare("a", "");
                sn.prepare("b", "");
                sn.prepare("c", "");
                // As an applier that died leaves them: on its temporary directories, one of them
                // of a snapshot removed since (its image is deleted, its loop device lives on).
                Mounter.mountAll(sn.mounts("a"), applying);
                Mounter.mountAll(sn.mounts("b"), removedWhileMounted);
                sn.remove("b");
                Mounter.mountAll(sn.mounts("c"), container); // a runtime's mount
            }
            assertThat(Fsck.run("block", root, CHECK).findings()).extracting(Finding::problem, Finding::path)
                    .containsExactlyInAnyOrder(tuple(Problem.STALE_MOUNT, applying.toString()),
                            tuple(Problem.STALE_MOUNT, removedWhileMounted.toString()));
            assertThat(Fsck.run("block", root, REPAIR).remaining()).isEmpty();
            assertThat(Fsck.run("block", root, CHECK).clean()).isTrue();
            assertThat(applying).doesNotExist();
            assertThat(removedWhileMounted).doesNotExist();
            assertThat(LoopMounts.backedUnder(root)).containsExactly(container);
        } finally {
            for (Path p : List.of(applying, removedWhileMounted, container)) {
                Mounter.unmountAll(p, Mounter.UnmountFlag.DETACH);
                Files.deleteIfExists(p);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native"})
    void changedCommittedDataShowsAsUsageDrift(String backend) throws Exception {
        long id;
        try (Snapshotter sn = Backends.open(backend, root)) {
            sn.prepare("a", "");
            write(sn, "a", "small");
            sn.commit("base", "a");
            id = id(sn, "base");
        }
        Path data = backend.equals("overlayfs") ? dir(backend, id).resolve("fs") : dir(backend, id);
        Files.write(data.resolve("tampered"), new byte[256 * 1024]);
        assertThat(Fsck.run(backend, root, Options.CHECK).clean()).as("usage is measured only on demand").isTrue();
        assertThat(problems(Fsck.run(backend, root, REPAIR).remaining())).containsExactly("USAGE_DRIFT base");
    }

    /** Edits the metastore behind the backend's back, as a bug or a hand would. */
    private void sql(String backend, String... statements) throws Exception {
        Path db = Backends.backendRoot(backend, root).resolve("metadata.db");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db); var st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static List<String> problems(List<Finding> findings) {
        return findings.stream().map(f -> f.problem() + " " + f.key()).toList();
    }

    private Path dir(String backend, long id) {
        return Backends.backendRoot(backend, root).resolve("snapshots").resolve(Long.toString(id));
    }

    private static long id(Snapshotter sn, String key) {
        return ((DirectorySnapshotter) sn).metaStore().read(tx -> tx.info(key).id());
    }

    private static void write(Snapshotter sn, String key, String content) throws Exception {
        Path mnt = Files.createTempDirectory("strata-fsck-mnt");
        try {
            Mounter.mountAll(sn.mounts(key), mnt);
            Files.writeString(mnt.resolve("file"), content);
        } finally {
            Mounter.unmountAll(mnt);
            Files.delete(mnt);
        }
    }
}
