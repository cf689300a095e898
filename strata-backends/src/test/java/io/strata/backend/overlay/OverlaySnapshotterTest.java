package io.strata.backend.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.Info;
import io.strata.api.Mount;
import io.strata.api.SnapshotOption;
import io.strata.fs.Mounter;
import io.strata.metastore.SqliteMetaStore;
import io.strata.testkit.Tree;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What is particular to the overlayfs backend: layout, mount shapes, labels, removal, deep stacks. */
class OverlaySnapshotterTest {
    private Path root;
    private Path mnt;
    private Path links;
    private OverlaySnapshotter sn;

    @BeforeEach
    void open() throws Exception {
        root = Files.createTempDirectory("strata-overlay");
        // As short as /var/lib/strata/l, where Backends puts the short links.
        links = Path.of("/tmp/sl-" + Long.toString(System.nanoTime() % 1_000_000, 36));
        mnt = Files.createTempDirectory("strata-overlay-mnt");
        sn = open(OverlayOptions.DEFAULTS);
    }

    private OverlaySnapshotter open(OverlayOptions o) {
        return OverlaySnapshotter.open(root, SqliteMetaStore.open(root.resolve("metadata.db")), o.withLinkDir(links));
    }

    @AfterEach
    void close() throws Exception {
        Mounter.unmountAll(mnt);
        sn.close();
        Tree.deleteTree(mnt);
        Tree.deleteTree(root);
        Tree.deleteTree(links);
    }

    private long id(String key) {
        return Long.parseLong(sn.upperDirectory(key).getParent().getFileName().toString());
    }

    private String commit(String name, String parent) {
        sn.prepare(name + "-a", parent);
        sn.commit(name, name + "-a");
        return name;
    }

    private String up(long id) {
        return root.resolve("snapshots").resolve(Long.toString(id)).resolve("fs").toString();
    }

    private String work(long id) {
        return root.resolve("snapshots").resolve(Long.toString(id)).resolve("work").toString();
    }

    private static final boolean INDEX = Files.exists(Path.of("/sys/module/overlay/parameters/index"));

    private static List<String> withIndex(String... opts) {
        List<String> l = new ArrayList<>(List.of(opts));
        if (INDEX) {
            l.add("index=off");
        }
        return l;
    }

    @Test
    void layoutAndMountShapesMatchContainerd() throws Exception {
        List<Mount> base = sn.prepare("base-a", "");
        long baseId = id("base-a");
        assertThat(base).containsExactly(new Mount("bind", up(baseId), List.of("rw", "rbind")));
        assertThat(Path.of(up(baseId))).isDirectory();
        assertThat(Path.of(work(baseId))).isDirectory();
        assertThat(io.strata.fs.Stat.lstat(Path.of(work(baseId))).mode() & 07777).isEqualTo(0711);
        sn.commit("base", "base-a");

        assertThat(sn.view("v0", "")).containsExactly(new Mount("bind", up(id("v0")), List.of("ro", "rbind")));
        assertThat(Path.of(work(id("v0")))).doesNotExist();

        List<Mount> a1 = sn.prepare("a1", "base");
        long a1Id = id("a1");
        assertThat(a1).containsExactly(new Mount("overlay", "overlay",
                withIndex("workdir=" + work(a1Id), "upperdir=" + up(a1Id), "lowerdir=" + up(baseId))));
        assertThat(sn.mounts("a1")).isEqualTo(a1);

        assertThat(sn.view("v1", "base")).containsExactly(new Mount("bind", up(baseId), List.of("ro", "rbind")));

        commit("second", "base");
        long secondId = id("second");
        assertThat(sn.view("v2", "second")).containsExactly(new Mount("overlay", "overlay",
                withIndex("lowerdir=" + up(secondId) + ":" + up(baseId))));
    }

    @Test
    void upperdirLabelIsReportedButNeverStored() throws Exception {
        sn.close();
        sn = open(OverlayOptions.DEFAULTS.withUpperdirLabel(true));
        sn.prepare("a", "", SnapshotOption.labels(Map.of("k", "v")));
        Info st = sn.stat("a");
        assertThat(st.labels()).containsEntry("k", "v").containsKey(OverlaySnapshotter.UPPERDIR_LABEL);
        String upper = st.labels().get(OverlaySnapshotter.UPPERDIR_LABEL);
        assertThat(Path.of(upper)).isDirectory().endsWith(Path.of("fs"));
        assertThat(sn.list()).singleElement().isEqualTo(st);
        Info updated = sn.update("a", Map.of("k", "w"), "labels.k");
        assertThat(updated.labels()).containsEntry("k", "w").containsEntry(OverlaySnapshotter.UPPERDIR_LABEL, upper);
        sn.close();
        sn = open(OverlayOptions.DEFAULTS);
        assertThat(sn.stat("a").labels()).isEqualTo(Map.of("k", "w"));
    }

    @Test
    void synchronousRemoveFreesTheDirectory() {
        sn.prepare("a", "");
        Path dir = Path.of(up(id("a"))).getParent();
        sn.remove("a");
        assertThat(dir).doesNotExist();
    }

    @Test
    void asynchronousRemoveLeavesSpaceForCleanup() {
        sn.close();
        sn = open(OverlayOptions.DEFAULTS.withAsyncRemove(true));
        sn.prepare("a", "");
        Path dir = Path.of(up(id("a"))).getParent();
        sn.remove("a");
        assertThat(dir).isDirectory();
        sn.cleanup();
        assertThat(dir).doesNotExist();
    }

    @Test
    void cleanupRemovesCrashOrphansOnly() throws Exception {
        commit("keep", "");
        sn.prepare("active", "keep");
        Path snapshots = root.resolve("snapshots");
        Path tempOrphan = Files.createDirectories(snapshots.resolve("new-crashed/fs"));
        Path idOrphan = Files.createDirectories(snapshots.resolve("99999/fs"));
        Files.writeString(idOrphan.resolve("junk"), "x");
        sn.cleanup();
        assertThat(tempOrphan.getParent()).doesNotExist();
        assertThat(idOrphan.getParent()).doesNotExist();
        assertThat(Path.of(up(id("keep")))).isDirectory();
        assertThat(Path.of(up(id("active")))).isDirectory();
    }

    @Test
    void leftoverDirectoryAtANewIdIsReplaced() throws Exception {
        sn.prepare("first", "");
        long next = id("first") + 1;
        // What a crash between rename and commit leaves when the id is handed out again.
        Path stale = Files.createDirectories(root.resolve("snapshots").resolve(Long.toString(next)).resolve("fs"));
        Files.writeString(stale.resolve("stale-file"), "from a crashed transaction");
        sn.prepare("second", "");
        assertThat(id("second")).isEqualTo(next);
        try (var s = Files.list(Path.of(up(next)))) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void deepStacksMountThroughTheNewMountApiAndHandOutShortOptions() throws Exception {
        String parent = "";
        // overlayfs stacks at most 500 lower layers (OVL_MAX_STACK): the top sits on exactly 500.
        int depth = 500;
        for (int i = 0; i < depth; i++) {
            String key = "layer-" + i + "-a";
            List<Mount> m = sn.prepare(key, parent);
            if (i % 50 == 0 || i == depth - 1) {
                Mounter.mountAll(m, mnt);
                Files.writeString(mnt.resolve("file-" + i), Integer.toString(i));
                Mounter.unmountAll(mnt);
            } else {
                // Write straight into the upper directory: same result, much faster.
                Files.writeString(Path.of(up(id(key))).resolve("file-" + i), Integer.toString(i));
            }
            sn.commit("layer-" + i, key);
            parent = "layer-" + i;
            if (i == 127) {
                List<Mount> view = sn.view("view-128", parent);
                String options = String.join(",", view.getFirst().options());
                assertThat(options.length()).as("128 layers fit one page").isLessThan(4096);
                assertThat(options).contains(links + "/");
                Mounter.mountAll(view, mnt);
                assertThat(Files.readString(mnt.resolve("file-0"))).isEqualTo("0");
                assertThat(Files.readString(mnt.resolve("file-127"))).isEqualTo("127");
                Mounter.unmountAll(mnt);
            }
        }
        List<Mount> top = sn.prepare("top", parent);
        Mounter.mountAll(top, mnt);
        try (var s = Files.list(mnt)) {
            assertThat(s.count()).isEqualTo(depth);
        }
        Files.writeString(mnt.resolve("written-on-top"), "top");
        assertThat(Files.readString(mnt.resolve("file-0"))).isEqualTo("0");
        assertThat(Files.readString(mnt.resolve("file-" + (depth - 1)))).isEqualTo(Integer.toString(depth - 1));
        Mounter.unmountAll(mnt);
        // Short links go with their snapshots.
        sn.remove("top");
        sn.remove("view-128");
        Path link = links.resolve(Long.toString(id(parent), 36));
        assertThat(Files.isSymbolicLink(link)).isTrue();
        sn.remove(parent);
        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void readOnlyViewOfManyParentsRefusesWrites() throws Exception {
        commit("c1", "");
        commit("c2", "c1");
        Mounter.mountAll(sn.view("v", "c2"), mnt);
        assertThatThrownBy(() -> Files.writeString(mnt.resolve("x"), "x"))
                .hasMessageContaining("Read-only");
    }
}
