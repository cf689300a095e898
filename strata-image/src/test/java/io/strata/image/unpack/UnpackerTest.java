package io.strata.image.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Kind;
import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import io.strata.fs.Mounter;
import io.strata.oci.ChainIds;
import io.strata.testkit.OciArchive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The unpacker against real backends, with layers written by GNU tar. */
class UnpackerTest {
    @TempDir
    Path work;
    List<Path> tars = new ArrayList<>();
    List<Path> gzs = new ArrayList<>();
    AtomicInteger opened = new AtomicInteger();

    @BeforeEach
    void layers() throws Exception {
        Path l1 = Files.createDirectories(work.resolve("l1"));
        Files.createDirectories(l1.resolve("etc"));
        Files.writeString(l1.resolve("etc/os-release"), "ID=test\n");
        Files.writeString(l1.resolve("etc/remove-me"), "x");
        Files.createDirectories(l1.resolve("opt/old"));
        Files.writeString(l1.resolve("opt/old/file"), "old");
        Path l2 = Files.createDirectories(work.resolve("l2"));
        Files.createDirectories(l2.resolve("etc"));
        Files.writeString(l2.resolve("etc/.wh.remove-me"), "");
        Files.createDirectories(l2.resolve("opt"));
        Files.writeString(l2.resolve("opt/.wh..wh..opq"), "");
        Files.writeString(l2.resolve("opt/new"), "new");
        Path l3 = Files.createDirectories(work.resolve("l3"));
        Files.writeString(l3.resolve("top"), "top");
        for (Path l : List.of(l1, l2, l3)) {
            Path tar = work.resolve(l.getFileName() + ".tar");
            run("tar", "--sort=name", "-cf", tar.toString(), "-C", l.toString(), ".");
            run("gzip", "-k", "-n", tar.toString());
            tars.add(tar);
            gzs.add(Path.of(tar + ".gz"));
        }
    }

    private void run(String... cmd) throws Exception {
        assertThat(new ProcessBuilder(cmd).inheritIO().start().waitFor()).isZero();
    }

    private List<Unpacker.Layer> image(int corruptDiffIdAt) throws Exception {
        List<Unpacker.Layer> out = new ArrayList<>();
        for (int i = 0; i < tars.size(); i++) {
            Path gz = gzs.get(i);
            String diffId = "sha256:" + (i == corruptDiffIdAt ? "0".repeat(64) : OciArchive.sha256(tars.get(i)));
            out.add(new Unpacker.Layer("sha256:" + OciArchive.sha256(gz), diffId, () -> {
                opened.incrementAndGet();
                return Files.newInputStream(gz);
            }));
        }
        return out;
    }

    /** The snapshots of {@code s} that are not committed (extraction snapshots left behind, views). */
    static List<String> extractions(Snapshotter s) {
        List<String> keys = new ArrayList<>();
        s.walk(i -> {
            if (i.kind() != Kind.COMMITTED) {
                keys.add(i.name());
            }
        });
        return keys;
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native"})
    void unpacksOnceAndSkipsWhatIsThere(String backend) throws Exception {
        try (Snapshotter s = Backends.open(backend, work.resolve("state"))) {
            List<Unpacker.Outcome> first = new Unpacker(s).unpack(image(-1));
            assertThat(first).allSatisfy(o -> assertThat(o.applied()).isPresent());
            String top = first.getLast().chainId();
            assertThat(top).isEqualTo(ChainIds.of(image(-1).stream().map(Unpacker.Layer::diffId).toList()).getLast());
            Info info = s.stat(top);
            assertThat(info.kind()).isEqualTo(Kind.COMMITTED);
            assertThat(info.labels()).containsEntry(Unpacker.LABEL_REF, top).containsKey(Unpacker.LABEL_PARENT_CHAIN);
            Mounter.withMounted(s.view("rootfs", top), root -> {
                assertThat(root.resolve("etc/os-release")).hasContent("ID=test\n");
                assertThat(root.resolve("etc/remove-me")).doesNotExist();
                assertThat(root.resolve("opt/old")).doesNotExist();
                assertThat(root.resolve("opt/new")).hasContent("new");
                assertThat(root.resolve("top")).hasContent("top");
                return null;
            });
            opened.set(0);
            List<Unpacker.Outcome> again = new Unpacker(s).unpack(image(-1));
            assertThat(again).allSatisfy(o -> assertThat(o.applied()).isEmpty());
            assertThat(opened).hasValue(0);
            assertThat(extractions(s)).containsExactly("rootfs");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native"})
    void racingUnpackersBothSucceedAndLeaveOneChain(String backend) throws Exception {
        try (Snapshotter s = Backends.open(backend, work.resolve("state"));
             ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<List<Unpacker.Outcome>>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Callable<List<Unpacker.Outcome>> c = () -> new Unpacker(s).unpack(image(-1));
                runs.add(pool.submit(c));
            }
            String top = null;
            for (Future<List<Unpacker.Outcome>> f : runs) {
                top = f.get().getLast().chainId();
            }
            List<String> committed = new ArrayList<>();
            s.walk(i -> committed.add(i.name()));
            assertThat(committed).hasSize(3).contains(top);
            assertThat(extractions(s)).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native"})
    void aWrongDiffIdCommitsNothingAndLeavesNothing(String backend) throws Exception {
        try (Snapshotter s = Backends.open(backend, work.resolve("state"))) {
            assertThatThrownBy(() -> new Unpacker(s).unpack(image(1)))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("DiffID mismatch");
            List<String> all = new ArrayList<>();
            s.walk(i -> all.add(i.name() + "/" + i.kind()));
            assertThat(all).containsExactly(ChainIds.of(List.of(image(-1).getFirst().diffId())).getFirst() + "/" + Kind.COMMITTED);
        }
    }
}
