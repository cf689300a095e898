package io.strata.image.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.InvalidArgumentException;
import io.strata.api.Kind;
import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import io.strata.fs.FileOps;
import io.strata.fs.Mounter;
import io.strata.testkit.OciArchive;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parallel unpack on overlayfs (the backend with containerd 2.2's rebase): layers applied before
 * the layers below them exist give the same tree as applying them in order, and a bad layer
 * commits nothing of itself or above it. Layers are written by GNU tar; the implicit-directory
 * layer lists files only, as `tar -T list` writes them, so its directories have no entries.
 */
class ParallelUnpackTest {
    @TempDir
    Path work;
    List<Path> tars = new ArrayList<>();
    final AtomicInteger synced = new AtomicInteger();

    @BeforeEach
    void layers() throws Exception {
        Path l1 = Files.createDirectories(work.resolve("l1"));
        Files.createDirectories(l1.resolve("srv/data"));
        Files.writeString(l1.resolve("srv/data/old"), "old");
        Files.writeString(l1.resolve("gone"), "x");
        Files.createDirectories(l1.resolve("cache/deep"));
        Files.writeString(l1.resolve("cache/deep/f"), "cached");
        FileOps.chmod(l1.resolve("srv"), 0700);
        FileOps.lchown(l1.resolve("srv"), 1000, 1001);
        FileOps.chmod(l1.resolve("srv/data"), 0750);
        FileOps.setXattr(l1.resolve("srv/data"), "user.kept", new byte[] {1, 2, 3});
        tar(l1, "--sort=name", ".");
        // Files only: srv and srv/data come with no entry of their own.
        Path l2 = Files.createDirectories(work.resolve("l2"));
        Files.createDirectories(l2.resolve("srv/data"));
        Files.writeString(l2.resolve("srv/data/new"), "new");
        Files.writeString(l2.resolve(".wh.gone"), "");
        tar(l2, "--no-recursion", "srv/data/new", ".wh.gone");
        Path l3 = Files.createDirectories(work.resolve("l3"));
        Files.createDirectories(l3.resolve("cache"));
        Files.writeString(l3.resolve("cache/.wh..wh..opq"), "");
        Files.writeString(l3.resolve("cache/fresh"), "fresh");
        Files.writeString(l3.resolve("top"), "top");
        tar(l3, "--sort=name", ".");
    }

    private void tar(Path dir, String... what) throws Exception {
        Path tar = work.resolve(dir.getFileName() + ".tar");
        List<String> cmd = new ArrayList<>(List.of("tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-cf",
                tar.toString(), "-C", dir.toString()));
        cmd.addAll(List.of(what));
        assertThat(new ProcessBuilder(cmd).inheritIO().start().waitFor()).isZero();
        tars.add(tar);
    }

    /** The layers; {@code wrap} may replace a layer's stream (index, stream). */
    private List<Unpacker.Layer> image(java.util.function.BiFunction<Integer, InputStream, InputStream> wrap) throws Exception {
        List<Unpacker.Layer> out = new ArrayList<>();
        for (int i = 0; i < tars.size(); i++) {
            Path tar = tars.get(i);
            String digest = "sha256:" + OciArchive.sha256(tar);
            int index = i;
            out.add(new Unpacker.Layer(digest, digest, () -> wrap.apply(index, Files.newInputStream(tar))));
        }
        return out;
    }

    private List<Unpacker.Layer> image() throws Exception {
        return image((i, in) -> in);
    }

    private Unpacker.Listener counting() {
        return new Unpacker.Listener() {
            @Override
            public void synced(long nanos) {
                synced.incrementAndGet();
            }
        };
    }

    private record Seen(String srv, String data, byte[] xattr, List<String> top, boolean goneThere, String cache) {
    }

    private static Seen look(Snapshotter s, String top) throws Exception {
        return Mounter.withMounted(s.view("look-" + System.nanoTime(), top), root -> {
            java.nio.file.attribute.PosixFileAttributes srv = Files.readAttributes(root.resolve("srv"),
                    java.nio.file.attribute.PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return new Seen(Integer.toOctalString((Integer) Files.getAttribute(root.resolve("srv"), "unix:mode") & 07777)
                    + " " + Files.getAttribute(root.resolve("srv"), "unix:uid") + ":" + Files.getAttribute(root.resolve("srv"), "unix:gid")
                    + " " + srv.isDirectory(),
                    Integer.toOctalString((Integer) Files.getAttribute(root.resolve("srv/data"), "unix:mode") & 07777),
                    FileOps.getXattr(root.resolve("srv/data"), "user.kept"),
                    Files.list(root.resolve("srv/data")).map(p -> p.getFileName().toString()).sorted().toList(),
                    Files.exists(root.resolve("gone")),
                    String.join(",", Files.list(root.resolve("cache")).map(p -> p.getFileName().toString()).sorted().toList()));
        });
    }

    @Test
    void parallelGivesTheTreeInOrderGives() throws Exception {
        Seen inOrder;
        try (Snapshotter s = Backends.open("overlayfs", work.resolve("sequential"))) {
            List<Unpacker.Outcome> o = new Unpacker(s, 1).unpack(image(), counting());
            assertThat(synced).hasValue(0);
            inOrder = look(s, o.getLast().chainId());
        }
        try (Snapshotter s = Backends.open("overlayfs", work.resolve("parallel"))) {
            List<Unpacker.Outcome> o = new Unpacker(s, 3).unpack(image(), counting());
            assertThat(synced).hasValue(1);
            assertThat(o).allSatisfy(x -> assertThat(x.applied()).isPresent());
            Seen parallel = look(s, o.getLast().chainId());
            assertThat(parallel.srv()).isEqualTo("700 1000:1001 true").isEqualTo(inOrder.srv());
            assertThat(parallel.data()).isEqualTo("750").isEqualTo(inOrder.data());
            assertThat(parallel.xattr()).containsExactly(1, 2, 3);
            assertThat(parallel.top()).containsExactly("new", "old").isEqualTo(inOrder.top());
            assertThat(parallel.goneThere()).isFalse();
            assertThat(inOrder.goneThere()).isFalse();
            assertThat(parallel.cache()).isEqualTo("fresh").isEqualTo(inOrder.cache());
            // Committed as containerd stacks them: each chain on the one below.
            for (int i = 1; i < o.size(); i++) {
                assertThat(s.stat(o.get(i).chainId()).parent()).isEqualTo(java.util.Optional.of(o.get(i - 1).chainId()));
            }
            assertThat(UnpackerTest.extractions(s)).allMatch(k -> k.startsWith("look-"));
        }
    }

    @Test
    void layersAreAppliedAtTheSameTime() throws Exception {
        // Layer 1 waits until layer 2 has been opened: applied one after the other, it never would be.
        CountDownLatch topOpened = new CountDownLatch(1);
        try (Snapshotter s = Backends.open("overlayfs", work.resolve("state"))) {
            List<Unpacker.Outcome> o = new Unpacker(s, 2).unpack(image((i, in) -> {
                if (i == 2) {
                    topOpened.countDown();
                } else if (i == 1) {
                    try {
                        if (!topOpened.await(30, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("layer 2 was not opened while layer 1 was being applied");
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return in;
            }), counting());
            assertThat(o).hasSize(3).allSatisfy(x -> assertThat(x.applied()).isPresent());
        }
    }

    @Test
    void extendsAChainAlreadyThere() throws Exception {
        try (Snapshotter s = Backends.open("overlayfs", work.resolve("state"))) {
            new Unpacker(s, 1).unpack(image().subList(0, 1));
            List<Unpacker.Outcome> o = new Unpacker(s, 3).unpack(image(), counting());
            assertThat(o.get(0).applied()).isEmpty();
            assertThat(o.get(1).applied()).isPresent();
            assertThat(synced).hasValue(1);
            Seen seen = look(s, o.getLast().chainId());
            assertThat(seen.srv()).isEqualTo("700 1000:1001 true");
            assertThat(seen.top()).containsExactly("new", "old");
        }
    }

    @Test
    void aBadMiddleLayerCommitsTheOnesBelowOnlyAndALaterUnpackWorks() throws Exception {
        try (Snapshotter s = Backends.open("overlayfs", work.resolve("state"))) {
            List<Unpacker.Layer> bad = image();
            bad.set(1, new Unpacker.Layer(bad.get(1).digest(), "sha256:" + "0".repeat(64), bad.get(1).source()));
            assertThatThrownBy(() -> new Unpacker(s, 3).unpack(bad))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("DiffID mismatch");
            List<String> all = new ArrayList<>();
            s.walk(i -> all.add(i.name() + "/" + i.kind()));
            assertThat(all).containsExactly(bad.get(0).diffId() + "/" + Kind.COMMITTED);
            List<Unpacker.Outcome> again = new Unpacker(s, 3).unpack(image());
            assertThat(again.get(0).applied()).isEmpty();
            assertThat(look(s, again.getLast().chainId()).top()).containsExactly("new", "old");
            assertThat(UnpackerTest.extractions(s)).allMatch(k -> k.startsWith("look-"));
        }
    }

    @Test
    void aBrokenBottomStreamCommitsNothingAndLeavesNothing() throws Exception {
        try (Snapshotter s = Backends.open("overlayfs", work.resolve("state"))) {
            assertThatThrownBy(() -> new Unpacker(s, 3).unpack(image((i, in) -> i != 0 ? in : new FilterInputStream(in) {
                private int reads;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (++reads > 2) {
                        throw new IOException("connection reset by the test");
                    }
                    return super.read(b, off, Math.min(len, 512));
                }
            }))).isInstanceOf(io.strata.api.StrataException.class).hasMessageContaining("connection reset by the test");
            List<String> all = new ArrayList<>();
            s.walk(i -> all.add(i.name()));
            assertThat(all).isEmpty();
        }
    }

    @Test
    void labelsAreContainerdsOnEveryCommittedLayer() throws Exception {
        try (Snapshotter s = Backends.open("overlayfs", work.resolve("state"))) {
            List<Unpacker.Outcome> o = new Unpacker(s, 3).unpack(image());
            Map<String, String> labels = s.stat(o.get(2).chainId()).labels();
            assertThat(labels).containsEntry(Unpacker.LABEL_REF, o.get(2).chainId())
                    .containsEntry(Unpacker.LABEL_PARENT_CHAIN, o.get(1).chainId());
            assertThat(s.stat(o.get(0).chainId()).labels()).doesNotContainKey(Unpacker.LABEL_PARENT_CHAIN);
        }
    }
}
