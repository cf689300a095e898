package io.strata.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.Kind;
import io.strata.api.NotFoundException;
import io.strata.api.Snapshotter;
import io.strata.api.StrataException;
import io.strata.api.UnavailableException;
import io.strata.backend.Backends;
import io.strata.backend.Fsck;
import io.strata.fs.LoopMounts;
import io.strata.fs.Mounter;
import io.strata.testkit.Tree;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the process out of file descriptors (EMFILE) inside prepare, inside applying a layer of
 * many files (from its start, and half way through its stream) and inside commit, leaving 0, 1, 2,
 * … descriptors free until the call has enough, so that each open the call makes fails once.
 * Every failure must be an {@link UnavailableException} saying "too many open files" that leaks no
 * descriptor and no mount; a failed prepare records nothing (its temporary directory, which cannot
 * be deleted without a descriptor, is an orphan for cleanup, as after a crash), a failed apply
 * leaves an active snapshot that can be removed, a failed commit leaves the snapshot active and
 * committable; and once the descriptors are back the same store prepares, applies and commits,
 * what was stored before is unchanged and fsck finds nothing after its repair of those orphans.
 */
class DescriptorFaultTest {
    /** How many free descriptors are tried at most: far more than any of these calls holds at once. */
    private static final int MAX_LEAVE = 200;
    private static final Map<String, Integer> FAULTS = new TreeMap<>();

    private static Descriptors descriptors;
    private static String tmpdir;
    private Path root;
    /** java.io.tmpdir while the test runs, where the applier makes its temporary mount points. */
    private Path tmp;

    @BeforeAll
    static void limit() throws Exception {
        Descriptors.preload();
        descriptors = Descriptors.limited();
        tmpdir = System.getProperty("java.io.tmpdir");
    }

    @AfterAll
    static void restore() throws Exception {
        descriptors.close();
        System.out.println("EMFILE faults injected and survived (backend/call: count): " + FAULTS);
    }

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory("strata-emfile");
        // A directory of its own, so that what a failed apply leaves there is seen, and only that.
        tmp = Files.createTempDirectory("strata-emfile-tmp");
        System.setProperty("java.io.tmpdir", tmp.toString());
    }

    @AfterEach
    void tearDown() throws Exception {
        System.setProperty("java.io.tmpdir", tmpdir);
        Tree.deleteTree(root);
        Tree.deleteTree(tmp);
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native", "block"})
    void runningOutOfDescriptorsIsUnavailableAndTheStoreRecovers(String backend) throws Exception {
        byte[] many = manyFiles();
        try (Snapshotter sn = Backends.open(backend, root)) {
            sn.prepare("base-x", "");
            apply(sn, "base-x", new LayerBuilder().file("base", "stored before").bytes());
            sn.commit("base", "base-x");
            // Once through every call, so that what is opened once per process (libraries, the
            // metastore's connections, the block template) is open before the faults.
            sn.prepare("warm-x", "base");
            apply(sn, "warm-x", many);
            sn.commit("warm", "warm-x");
            sn.remove("warm");
            List<String> before = settled(sn);

            sweep(backend, "prepare", leave -> {
                String key = "p" + leave;
                StrataException e = underExhaustion(leave, () -> sn.prepare(key, "base"));
                if (e == null) {
                    sn.remove(key);
                    return true;
                }
                assertThatThrownBy(() -> sn.stat(key)).as("a failed prepare creates nothing").isInstanceOf(NotFoundException.class);
                return false;
            }, sn, before);

            for (double at : new double[] {0, 0.5}) {
                sweep(backend, at == 0 ? "apply" : "apply-half-way", leave -> {
                    String key = "a" + leave;
                    sn.prepare(key, "base");
                    StrataException e = applyRunningOut(sn, key, many, at, leave);
                    assertThat(sn.stat(key).kind()).as("nothing committed").isEqualTo(Kind.ACTIVE);
                    sn.remove(key);
                    return e == null;
                }, sn, before);
            }

            sweep(backend, "commit", leave -> {
                String key = "c" + leave + "-x";
                sn.prepare(key, "base");
                apply(sn, key, many);
                StrataException e = underExhaustion(leave, () -> sn.commit("c" + leave, key));
                if (e == null) {
                    assertThat(sn.stat("c" + leave).kind()).isEqualTo(Kind.COMMITTED);
                    return true;
                }
                assertThat(sn.stat(key).kind()).as("a failed commit leaves the snapshot active").isEqualTo(Kind.ACTIVE);
                assertThatThrownBy(() -> sn.stat("c" + leave)).isInstanceOf(NotFoundException.class);
                sn.commit("c" + leave, key); // and committable once descriptors are back
                assertThat(sn.stat("c" + leave).kind()).isEqualTo(Kind.COMMITTED);
                return false;
            }, sn, before);

            // Descriptors are back: the same store works.
            sn.prepare("after-x", "base");
            apply(sn, "after-x", many);
            sn.commit("after", "after-x");
            assertThat(read(sn, "base", "base")).as("stored before, unchanged").isEqualTo("stored before");
            assertThat(read(sn, "after", "d7/f7")).isEqualTo("content 7/7");
        }
        assertThat(Fsck.run(backend, root, new Fsck.Options(true, false)).findings()).as("only what cleanup removes")
                .allMatch(f -> f.problem() == Fsck.Problem.ORPHAN && f.repaired());
        assertThat(Fsck.run(backend, root, new Fsck.Options(false, true)).findings()).as("fsck, usage included").isEmpty();
    }

    /**
     * Runs {@code attempt} with 0, 1, 2, … free descriptors until it returns true (the call had
     * enough), checking after each that no descriptor leaked.
     */
    private void sweep(String backend, String call, IntPredicate attempt, Snapshotter sn, List<String> before)
            throws Exception {
        for (int leave = 0; leave <= MAX_LEAVE; leave++) {
            boolean done = attempt.test(leave);
            assertThat(settled(sn)).as("descriptors after %s with %d free", call, leave).isEqualTo(before);
            if (done) {
                return;
            }
            FAULTS.merge(backend + "/" + call, 1, Integer::sum);
        }
        throw new AssertionError(call + " never succeeded with up to " + MAX_LEAVE + " free descriptors");
    }

    /** Runs {@code call} with only {@code leave} descriptors free; null if it succeeded, else its (checked) error. */
    private static StrataException underExhaustion(int leave, Runnable call) {
        try (Descriptors.Exhaustion held = descriptors.exhaust(leave)) {
            call.run();
            return null;
        } catch (StrataException e) {
            return checked(e);
        }
    }

    /** Applies {@code layer}, running out of descriptors before the call ({@code at} 0) or once that fraction of it has been read. */
    private static StrataException applyRunningOut(Snapshotter sn, String key, byte[] layer, double at, int leave) {
        AtomicReference<Descriptors.Exhaustion> held = new AtomicReference<>();
        List<io.strata.api.Mount> mounts = sn.mounts(key);
        if (at == 0) {
            held.set(descriptors.exhaust(leave));
        }
        InputStream in = new FilterInputStream(new ByteArrayInputStream(layer)) {
            private long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                read += Math.max(n, 0);
                if (read >= layer.length * at && held.get() == null) {
                    held.set(descriptors.exhaust(leave));
                }
                return n;
            }
        };
        try {
            Layers.apply(mounts, in, ApplyOptions.DEFAULTS);
            return null;
        } catch (StrataException e) {
            return checked(e);
        } finally {
            if (held.get() != null) {
                held.get().close();
            }
        }
    }

    private static StrataException checked(StrataException e) {
        assertThat(e).as("error: %s", e).isInstanceOf(UnavailableException.class).hasMessageContaining("too many open files");
        return e;
    }

    /**
     * The descriptors open once the metastore's reader pool is back to its resting state, the
     * images of the store still mounted and what is left in the temporary directory (a failed
     * apply must leave neither its temporary mount nor its mount point).
     */
    private List<String> settled(Snapshotter sn) throws IOException {
        sn.stat("base");
        List<String> state = new java.util.ArrayList<>(Descriptors.open());
        LoopMounts.backedUnder(root).forEach(m -> state.add("mounted on " + m));
        try (var s = Files.list(tmp)) {
            s.forEach(p -> state.add("left in java.io.tmpdir: " + p));
        }
        return state;
    }

    /**
     * 40 directories of 8 files: fewer directories than the applier keeps open, so it holds dozens
     * of descriptors at once, and every one of them is a point where it can run out.
     */
    private static byte[] manyFiles() {
        LayerBuilder b = new LayerBuilder();
        for (int d = 0; d < 40; d++) {
            b.dir("d" + d);
            for (int f = 0; f < 8; f++) {
                b.file("d" + d + "/f" + f, "content " + d + "/" + f);
            }
        }
        return b.bytes();
    }

    private static void apply(Snapshotter sn, String key, byte[] layer) {
        Layers.apply(sn.mounts(key), new ByteArrayInputStream(layer), ApplyOptions.DEFAULTS);
    }

    private static String read(Snapshotter sn, String name, String file) throws Exception {
        Path mnt = Files.createTempDirectory("strata-emfile-view");
        try {
            Mounter.mountAll(sn.view("read-" + name, name), mnt);
            return Files.readString(mnt.resolve(file));
        } finally {
            Mounter.unmountAll(mnt);
            Files.delete(mnt);
            sn.remove("read-" + name);
        }
    }
}
