package io.strata.testkit;

import static io.strata.testkit.Tree.link;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Mount;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.fs.Mounter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;

/**
 * What every part of the conformance suite stands on: the fixtures a subclass runs it on, and one
 * test's world ({@link Env}). A backend's test extends {@link SnapshotterConformance}, which holds
 * every case.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ConformanceBase {

    /** The snapshotters to run the suite on. */
    protected abstract Stream<SnapshotterFixture> fixtures();

    static final SnapshotOption GC_ROOT =
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

    static void baseSnapshots(Snapshotter sn) {
        sn.prepare("c1-a", "", GC_ROOT);
        sn.commit("c1", "c1-a", GC_ROOT);
        sn.prepare("c2-a", "c1", GC_ROOT);
        sn.commit("c2", "c2-a", GC_ROOT);
        sn.prepare("a1", "c2", GC_ROOT);
        sn.prepare("a2", "", GC_ROOT);
        sn.view("v1", "c2", GC_ROOT);
        sn.view("v2", "", GC_ROOT);
    }

    /** Keeps the flat comparison directory's root like a snapshot root: mode 0755. */
    static final class FlatRoot {
        static void init(Path flat) throws IOException {
            io.strata.fs.FileOps.chmod(flat, 0755);
        }
    }
}
