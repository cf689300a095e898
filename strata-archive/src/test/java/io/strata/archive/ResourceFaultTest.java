package io.strata.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.Kind;
import io.strata.api.Snapshotter;
import io.strata.api.StrataException;
import io.strata.api.UnavailableException;
import io.strata.codec.tar.EntryType;
import io.strata.codec.tar.Latin1;
import io.strata.codec.tar.TarEntry;
import io.strata.backend.Backends;
import io.strata.backend.Fsck;
import io.strata.testkit.LoopFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A 64 MiB ext4 file system as the state root, filled up and made read-only under a working
 * store: every failure is a clear {@link StrataException}, nothing is committed half-way, and once
 * space is back the same store prepares, applies and commits again.
 */
class ResourceFaultTest {
    private LoopFileSystem fs;
    private Path root;

    @BeforeEach
    void setUp() throws Exception {
        fs = LoopFileSystem.create("ext4", 64);
        root = fs.mountPoint().resolve("state");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            fs.close();
        } catch (java.io.IOException busy) {
            // Seen only after the overlayfs round with no file of ours open and nothing mounted
            // below: report what is open, then detach so later tests are not affected.
            System.out.println("state root busy after the store closed (" + busy.getMessage() + "); open: "
                    + openUnder(fs.mountPoint()));
            io.strata.fs.Mounter.unmountRecursive(fs.mountPoint(), io.strata.fs.Mounter.UnmountFlag.DETACH);
            fs.close();
        }
    }

    private static String openUnder(Path dir) throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (java.io.IOException gone) {
                    return "";
                }
            }).filter(t -> t.startsWith(dir.toString())).toList() + " mounts: "
                    + Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(dir.toString())).toList();
        }
    }

    private static byte[] layer(String name, int bytes) {
        byte[] data = new byte[bytes];
        new Random(bytes).nextBytes(data);
        return new LayerBuilder().entry(TarEntry.of(Latin1.fromText(name), EntryType.REGULAR, 0644, 0, 0, bytes, LayerBuilder.T, ""),
                data).bytes();
    }

    private static void apply(Snapshotter sn, String key, byte[] layer) {
        Layers.apply(sn.mounts(key), new java.io.ByteArrayInputStream(layer), ApplyOptions.DEFAULTS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native"})
    void diskFullDuringApplyAndCommitIsUnavailableAndTheStoreRecovers(String backend) throws Exception {
        try (Snapshotter sn = Backends.open(backend, root)) {
            sn.prepare("base-x", "");
            apply(sn, "base-x", layer("small", 1 << 20));
            sn.commit("base", "base-x");

            // Apply: the layer is bigger than the disk.
            sn.prepare("big-x", "base");
            assertThatThrownBy(() -> apply(sn, "big-x", layer("huge", 80 << 20)))
                    .isInstanceOf(UnavailableException.class).hasMessageContaining("no space");
            assertThat(sn.stat("big-x").kind()).as("nothing committed half-way").isEqualTo(Kind.ACTIVE);
            sn.remove("big-x");

            // Commit and prepare: a filler takes the last free block.
            sn.prepare("c-x", "base");
            apply(sn, "c-x", layer("c", 4096));
            Path filler = LoopFileSystem.fill(root.resolve("filler"), 0);
            StrataException prepare = catchStrata(() -> sn.prepare("more", "base"));
            StrataException commit = catchStrata(() -> sn.commit("c", "c-x"));
            System.out.println("disk full: prepare -> " + describe(prepare) + "; commit -> " + describe(commit));
            if (prepare != null) {
                assertThat(prepare).isInstanceOf(UnavailableException.class).hasMessageContaining("no space");
            }
            if (commit != null) {
                assertThat(commit).isInstanceOf(UnavailableException.class).hasMessageContaining("no space");
                assertThat(sn.stat("c-x").kind()).isEqualTo(Kind.ACTIVE);
            }

            // Space is back: the same store works.
            Files.delete(filler);
            if (commit != null) {
                sn.commit("c", "c-x");
            }
            sn.prepare("after-x", "c");
            apply(sn, "after-x", layer("after", 1 << 20));
            sn.commit("after", "after-x");
            assertThat(sn.stat("after").kind()).isEqualTo(Kind.COMMITTED);
        }
        Fsck.Report r = Fsck.run(backend, root, new Fsck.Options(true, true));
        assertThat(r.remaining()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native"})
    void aReadOnlyRootGivesAClearErrorAndWorksAgainAfterRemount(String backend) throws Exception {
        try (Snapshotter sn = Backends.open(backend, root)) {
            sn.prepare("a-x", "");
            sn.commit("a", "a-x");
        }
        // Linux refuses to remount read-only under files open for writing: the store is closed first.
        remount("ro");
        try {
            StrataException open = catchStrata(() -> Backends.open(backend, root).close());
            System.out.println("read-only root: open -> " + describe(open));
            assertThat(open).isInstanceOf(UnavailableException.class).hasMessageContaining("read-only");
        } finally {
            remount("rw");
        }
        try (Snapshotter sn = Backends.open(backend, root)) {
            sn.prepare("b-x", "a");
            sn.commit("b", "b-x");
        }
        assertThat(Fsck.run(backend, root, new Fsck.Options(true, false)).remaining()).isEmpty();
    }

    /** Remounts the state root's file system (the test may call mount(8); the code under test never does). */
    private void remount(String mode) throws Exception {
        Process p = new ProcessBuilder("mount", "-o", "remount," + mode, fs.mountPoint().toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }


    private static StrataException catchStrata(Runnable r) {
        try {
            r.run();
            return null;
        } catch (StrataException e) {
            return e;
        }
    }

    private static String describe(StrataException e) {
        return e == null ? "succeeded" : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
