package io.strata.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.InvalidArgumentException;
import io.strata.api.Mount;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MounterTest {
    @TempDir
    Path dir;

    @AfterEach
    void unmount() throws Exception {
        MountTable.cleanUnder(dir);
    }

    private static Mount tmpfs(String... options) {
        return new Mount("tmpfs", "tmpfs", List.of(options));
    }

    private static void assertReadOnly(Path p) {
        assertThatThrownBy(() -> Files.writeString(p, "nope"))
                .isInstanceOf(FileSystemException.class)
                .hasMessageContaining("Read-only file system");
    }

    @Test
    void readOnlyRbindRefusesWritesAllTheWayDown() throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        Files.writeString(src.resolve("f"), "content");
        Path sub = Files.createDirectory(src.resolve("sub"));
        Mounter.mountAll(List.of(tmpfs("size=1m")), sub);
        Path target = Files.createDirectory(dir.resolve("target"));

        Mounter.mountAll(List.of(new Mount("bind", src.toString(), List.of("rbind", "ro"))), target);

        assertThat(Files.readString(target.resolve("f"))).isEqualTo("content");
        assertReadOnly(target.resolve("new"));
        assertReadOnly(target.resolve("sub/new"));
        assertThat(MountTable.at(target).getLast().options()).startsWith("ro");
        Files.writeString(src.resolve("still-writable"), "yes");
        assertThat(target.resolve("still-writable")).exists();
    }

    @Test
    void readOnlyBindReallyFailsWithErofs() throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        Path target = Files.createDirectory(dir.resolve("target"));
        Mounter.mountAll(List.of(new Mount("bind", src.toString(), List.of("bind", "ro", "nosuid", "nodev"))), target);
        int fd = -1;
        try (Scratch.Frame f = Scratch.frame()) {
            fd = LibC.openat(LibC.AT_FDCWD, f.cstr(target.resolve("x").toString()),
                    LibC.O_WRONLY | LibC.O_CREAT, 0644);
            assertThat(fd).isEqualTo(-1);
            assertThat(LibC.errno()).isEqualTo(ErrnoException.EROFS);
        } finally {
            Sys.closeQuietly(fd);
        }
        assertThat(MountTable.at(target).getLast().options()).contains("ro", "nosuid", "nodev");
    }

    @Test
    void writableBindWritesThrough() throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        Path target = Files.createDirectory(dir.resolve("target"));
        Mounter.mountAll(List.of(new Mount("bind", src.toString(), List.of("rbind", "rw"))), target);
        Files.writeString(target.resolve("f"), "through");
        assertThat(Files.readString(src.resolve("f"))).isEqualTo("through");
        assertThat(MountTable.at(target).getLast().options()).startsWith("rw");
    }

    @Test
    void overlayMergesLayersAndWritesToUpper() throws Exception {
        Path lower1 = Files.createDirectory(dir.resolve("lower1"));
        Path lower2 = Files.createDirectory(dir.resolve("lower2"));
        Path upper = Files.createDirectory(dir.resolve("upper"));
        Path work = Files.createDirectory(dir.resolve("work"));
        Path target = Files.createDirectory(dir.resolve("merged"));
        Files.writeString(lower1.resolve("common"), "from lower1");
        Files.writeString(lower2.resolve("common"), "from lower2");
        Files.writeString(lower1.resolve("only1"), "1");
        Files.writeString(lower2.resolve("only2"), "2");
        Files.writeString(upper.resolve("inupper"), "u");

        Mounter.mountAll(List.of(new Mount("overlay", "overlay", List.of(
                "redirect_dir=on", "lowerdir=" + lower1 + ":" + lower2, "upperdir=" + upper, "workdir=" + work))), target);

        assertThat(MountTable.at(target).getLast().fsType()).isEqualTo("overlay");
        assertThat(Files.readString(target.resolve("common"))).isEqualTo("from lower1"); // first lowerdir is on top
        assertThat(target.resolve("only1")).exists();
        assertThat(target.resolve("only2")).exists();
        assertThat(target.resolve("inupper")).exists();
        Files.writeString(target.resolve("written"), "new");
        Files.delete(target.resolve("only2"));
        assertThat(Files.readString(upper.resolve("written"))).isEqualTo("new");
        assertThat(lower1.resolve("written")).doesNotExist();
        assertThat(lower2.resolve("only2")).exists();
        Stat whiteout = Stat.lstat(upper.resolve("only2"));
        assertThat(whiteout.isCharDevice()).isTrue();
        assertThat(whiteout.rdev()).isZero();
        assertThat(MountTable.at(target).getLast().superOptions())
                .contains("redirect_dir=on", "lowerdir+=" + lower1, "lowerdir+=" + lower2, "upperdir=" + upper);
    }

    @Test
    void readOnlyOverlayAndFlagWords() throws Exception {
        Path lower = Files.createDirectory(dir.resolve("lower"));
        Path upper = Files.createDirectory(dir.resolve("upper"));
        Path work = Files.createDirectory(dir.resolve("work"));
        Files.writeString(lower.resolve("f"), "lower");
        Path target = Files.createDirectory(dir.resolve("merged"));
        Mounter.mountAll(List.of(new Mount("overlay", "overlay", List.of("ro", "nodev", "userxattr",
                "lowerdir=" + lower, "upperdir=" + upper, "workdir=" + work))), target);
        assertThat(Files.readString(target.resolve("f"))).isEqualTo("lower");
        assertReadOnly(target.resolve("g"));
        MountTable.Entry e = MountTable.at(target).getLast();
        assertThat(e.options()).contains("ro", "nodev");
        assertThat(e.superOptions()).contains("userxattr");
    }

    private static List<String> layers(Path base, int count) throws IOException {
        List<String> lowers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path l = Files.createDirectories(base.resolve(String.format("a-longer-layer-directory-name-%04d", i)));
            Files.writeString(l.resolve("file-" + i), Integer.toString(i));
            Files.writeString(l.resolve("top"), Integer.toString(i));
            lowers.add(l.toString());
        }
        return lowers;
    }

    @Test
    void fiveHundredLayerOverlayMountsThroughFsconfig() throws Exception {
        int count = OverlayMount.MAX_STACK;
        List<String> lowers = layers(dir.resolve("layers"), count);
        String lowerdir = "lowerdir=" + String.join(":", lowers);
        assertThat(lowerdir.length()).isGreaterThan(4 * 4096); // far beyond mount(2)'s one page
        Path target = Files.createDirectory(dir.resolve("merged"));
        Mounter.mountAll(List.of(new Mount("overlay", "overlay", List.of("ro", lowerdir))), target);
        try (Stream<Path> s = Files.list(target)) {
            assertThat(s.count()).isEqualTo(count + 1);
        }
        assertThat(Files.readString(target.resolve("file-" + (count - 1)))).isEqualTo(Integer.toString(count - 1));
        assertThat(Files.readString(target.resolve("top"))).isEqualTo("0");
    }

    @Test
    void sixHundredLayersHitTheKernelsStackLimitWithAClearError() throws Exception {
        List<String> lowers = layers(dir.resolve("layers"), 600);
        Path target = Files.createDirectory(dir.resolve("merged"));
        assertThatThrownBy(() -> Mounter.mountAll(
                List.of(new Mount("overlay", "overlay", List.of("ro", "lowerdir=" + String.join(":", lowers)))), target))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errno()).isEqualTo(ErrnoException.EINVAL);
                    assertThat(e.getMessage()).contains("layer 501 of 600", "at most 500", lowers.get(500));
                });
        assertThat(MountTable.isMounted(target)).isFalse();
    }

    @Test
    void overlayErrorsNameTheOptionThatFailed() throws Exception {
        Path target = Files.createDirectory(dir.resolve("merged"));
        Path lower = Files.createDirectory(dir.resolve("lower"));
        Path missing = dir.resolve("missing-layer");
        assertThatThrownBy(() -> Mounter.mountAll(List.of(new Mount("overlay", "overlay",
                List.of("lowerdir=" + lower + ":" + missing))), target))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errno()).isEqualTo(ErrnoException.ENOENT);
                    assertThat(e.getMessage()).contains("fsconfig", "lowerdir+", missing.toString(), target.toString());
                });
        assertThat(MountTable.isMounted(target)).isFalse();
    }

    @Test
    void classicMountsTakeDataAndFlags() throws Exception {
        Path target = Files.createDirectory(dir.resolve("t"));
        Mounter.mountAll(List.of(tmpfs("size=2m", "mode=0711", "nodev", "noexec")), target);
        assertThat(Stat.lstat(target).permissions()).isEqualTo(0711);
        MountTable.Entry e = MountTable.at(target).getLast();
        assertThat(e.fsType()).isEqualTo("tmpfs");
        assertThat(e.options()).contains("nodev", "noexec");
        assertThat(e.superOptions()).contains("size=2048k");

        Mounter.mountAll(List.of(tmpfs("remount", "ro")), target);
        assertThat(MountTable.at(target)).hasSize(1);
        assertReadOnly(target.resolve("f"));
    }

    @Test
    void mountTargetsAreResolvedBelowTheRoot() throws Exception {
        Path target = Files.createDirectory(dir.resolve("t"));
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.writeString(data.resolve("f"), "bound");
        Mounter.mountAll(List.of(tmpfs("size=1m"), new Mount("bind", data.toString(), "/", List.of("rbind"))), target);
        assertThat(MountTable.at(target)).hasSize(2);
        assertThatThrownBy(() -> Mounter.mountAll(List.of(new Mount("tmpfs", "tmpfs", "../escape", List.of())), target))
                .isInstanceOf(InvalidArgumentException.class);
        Mounter.unmountAll(target);
        Files.createDirectory(target.resolve("sub"));
        Mounter.mountAll(List.of(new Mount("bind", data.toString(), "/sub", List.of("rbind", "ro"))), target);
        assertThat(Files.readString(target.resolve("sub/f"))).isEqualTo("bound");
        assertThat(MountTable.isMounted(target.resolve("sub"))).isTrue();
    }

    @Test
    void aFailedMountUndoesTheOnesBeforeIt() throws Exception {
        Path target = Files.createDirectory(dir.resolve("t"));
        List<Mount> mounts = List.of(tmpfs("size=1m"), tmpfs("size=1m"),
                new Mount("bind", dir.resolve("no-such-source").toString(), List.of("rbind")));
        assertThatThrownBy(() -> Mounter.mountAll(mounts, target))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errno()).isEqualTo(ErrnoException.ENOENT);
                    assertThat(e.getMessage()).contains("mount bind", "no-such-source", target.toString());
                });
        assertThat(MountTable.isMounted(target)).isFalse();
    }

    @Test
    void rollbackLeavesAMountThatWasThereBefore() throws Exception {
        Path target = Files.createDirectory(dir.resolve("t"));
        Mounter.mountAll(List.of(tmpfs("size=1m")), target);
        Files.writeString(target.resolve("before"), "x");
        assertThatThrownBy(() -> Mounter.mountAll(List.of(tmpfs("size=1m"),
                new Mount("bind", dir.resolve("missing").toString(), List.of("rbind"))), target))
                .isInstanceOf(ErrnoException.class);
        assertThat(MountTable.at(target)).hasSize(1);
        assertThat(target.resolve("before")).exists();
    }

    @Test
    void unmountRecursiveTakesSubmountsDeepestFirst() throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        Files.createDirectories(src.resolve("a/b"));
        Mounter.mountAll(List.of(tmpfs("size=1m")), src.resolve("a"));
        Files.createDirectories(src.resolve("a/b"));
        Mounter.mountAll(List.of(tmpfs("size=1m")), src.resolve("a/b"));
        Path target = Files.createDirectory(dir.resolve("t"));
        Mounter.mountAll(List.of(new Mount("bind", src.toString(), List.of("rbind", "ro"))), target);
        assertThat(MountTable.under(target)).hasSize(3);
        Mounter.unmountRecursive(target); // deepest first: a parent is never busy with a child still mounted
        assertThat(MountTable.under(target)).isEmpty();
        assertThat(MountTable.under(src)).hasSize(2);
        Mounter.unmountRecursive(dir.resolve("nothing-here"));
    }

    @Test
    void invalidInputIsAnInvalidArgument() throws Exception {
        Path target = Files.createDirectory(dir.resolve("t"));
        assertThatThrownBy(() -> Mounter.mountAll(List.of(new Mount("", "x", List.of())), target))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> Mounter.mountAll(List.of(tmpfs("X-containerd.foo")), target))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> Mounter.mountAll(List.of(tmpfs("size=" + "1".repeat(5000))), target))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("too long");
        assertThat(MountTable.isMounted(target)).isFalse();
    }

    @Test
    void unmountAllRemovesStackedMountsAndToleratesNothing() throws Exception {
        Path target = Files.createDirectory(dir.resolve("t"));
        for (int i = 0; i < 3; i++) {
            Mounter.mountAll(List.of(tmpfs("size=1m")), target);
            Files.writeString(target.resolve("layer" + i), "x");
        }
        assertThat(MountTable.at(target)).hasSize(3);
        assertThat(target.resolve("layer2")).exists();
        assertThat(target.resolve("layer1")).doesNotExist();
        Mounter.unmountAll(target);
        assertThat(MountTable.isMounted(target)).isFalse();
        Mounter.unmountAll(target); // nothing mounted: EINVAL, fine
        Mounter.unmountAll(dir.resolve("does-not-exist")); // ENOENT, fine
        assertThatThrownBy(() -> Mounter.unmount(target))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(ErrnoException.EINVAL));
    }

    @Test
    void unmountDetachesBusyMounts() throws Exception {
        Path target = Files.createDirectory(dir.resolve("t"));
        Mounter.mountAll(List.of(tmpfs("size=1m")), target);
        try (FileChannel open = FileChannel.open(target.resolve("f"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            Mounter.unmount(target, Mounter.UnmountFlag.DETACH);
            assertThat(MountTable.isMounted(target)).isFalse();
            assertThat(open.isOpen()).isTrue();
        }
    }

    @Test
    void withMountedRunsTheWorkAndCleansUp() throws Exception {
        Path lower = Files.createDirectory(dir.resolve("lower"));
        Files.writeString(lower.resolve("f"), "seen");
        AtomicReference<Path> seen = new AtomicReference<>();
        String read = Mounter.withMounted(List.of(new Mount("bind", lower.toString(), List.of("rbind", "ro"))), dir,
                root -> {
                    seen.set(root);
                    assertThat(MountTable.isMounted(root)).isTrue();
                    return Files.readString(root.resolve("f"));
                });
        assertThat(read).isEqualTo("seen");
        assertThat(seen.get().getParent()).isEqualTo(dir);
        assertThat(seen.get()).doesNotExist();
        assertThat(MountTable.isMounted(seen.get())).isFalse();
    }

    @Test
    void withMountedCleansUpWhenTheWorkThrows() throws Exception {
        AtomicReference<Path> seen = new AtomicReference<>();
        IOException boom = new IOException("boom");
        assertThatThrownBy(() -> Mounter.withMounted(List.of(tmpfs("size=1m"), tmpfs("size=1m")), dir, root -> {
            seen.set(root);
            Files.writeString(root.resolve("f"), "x");
            throw boom;
        })).isSameAs(boom);
        assertThat(seen.get()).doesNotExist();
        assertThat(MountTable.under(dir)).isEmpty();

        IllegalStateException unchecked = new IllegalStateException("unchecked");
        assertThatThrownBy(() -> Mounter.withMounted(List.of(tmpfs("size=1m")), dir, root -> {
            seen.set(root);
            throw unchecked;
        })).isSameAs(unchecked);
        assertThat(seen.get()).doesNotExist();
        assertThat(MountTable.under(dir)).isEmpty();
    }

    @Test
    void withMountedDetachesWhenTheWorkLeavesAFileOpen() throws Exception {
        AtomicReference<FileChannel> leaked = new AtomicReference<>();
        AtomicReference<Path> seen = new AtomicReference<>();
        try {
            Mounter.withMounted(List.of(tmpfs("size=1m")), dir, root -> {
                seen.set(root);
                leaked.set(FileChannel.open(root.resolve("f"), java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.WRITE));
                return null;
            });
            assertThat(seen.get()).doesNotExist();
            assertThat(MountTable.under(dir)).isEmpty();
        } finally {
            leaked.get().close();
        }
    }

    @Test
    void withMountedRemovesTheDirectoryWhenMountingFails() throws Exception {
        assertThatThrownBy(() -> Mounter.withMounted(
                List.of(new Mount("bind", dir.resolve("missing").toString(), List.of("rbind"))), dir, root -> 1))
                .isInstanceOf(ErrnoException.class);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void propagationIsAppliedSeparately() throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        Mounter.mountAll(List.of(new Mount("bind", src.toString(), List.of("rbind", "rshared"))), a);
        Mounter.mountAll(List.of(new Mount("bind", src.toString(), List.of("rbind", "rprivate"))), b);
        assertThat(MountTable.at(a).getLast().optional()).contains("shared:");
        assertThat(MountTable.at(b).getLast().optional()).doesNotContain("shared:");
    }

    @Test
    void loopOptionMountsAnImageAndTheDeviceGoesAwayAfterwards() throws Exception {
        Images.requireMkfs("ext4");
        Path mnt = dir.resolve("ext4");
        Images.mountFresh("ext4", dir.resolve("ext4.img"), 32, mnt);
        MountTable.Entry e = MountTable.at(mnt).getLast();
        assertThat(e.fsType()).isEqualTo("ext4");
        assertThat(e.source()).startsWith("/dev/loop");
        Path backing = Path.of("/sys/block", Path.of(e.source()).getFileName().toString(), "loop/backing_file");
        assertThat(Files.readString(backing).trim()).isEqualTo(dir.resolve("ext4.img").toString());
        assertThat(Files.readString(backing.resolveSibling("autoclear")).trim()).isEqualTo("1");
        Files.writeString(mnt.resolve("f"), "on ext4");
        Mounter.unmountAll(mnt);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Files.exists(backing) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(backing).doesNotExist();
    }

    @Test
    void loopMountsFindsEveryMountOfAnImageWhateverItsPathAndNothingElse() throws Exception {
        Images.requireMkfs("ext4");
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Images.mountFresh("ext4", dir.resolve("a.img"), 32, a);
        Images.mountFresh("ext4", dir.resolve("b.img"), 32, b);
        assertThat(LoopMounts.of(dir.resolve("a.img"))).containsExactly(a);
        Mounter.unmountAll(a);
        assertThat(LoopMounts.of(dir.resolve("a.img"))).isEmpty();
        // Two read-only mounts of one image, through two loop devices and two spellings of its path.
        Path again = Files.createDirectory(dir.resolve("again"));
        Path link = Files.createSymbolicLink(dir.resolve("link.img"), dir.resolve("a.img"));
        Mounter.mountAll(List.of(new Mount("ext4", dir.resolve("a.img").toString(), List.of("loop", "ro"))), a);
        Mounter.mountAll(List.of(new Mount("ext4", link.toString(), List.of("loop", "ro"))), again);
        assertThat(LoopMounts.of(dir.resolve("a.img"))).containsExactlyInAnyOrder(a, again);
        assertThat(LoopMounts.of(dir.resolve("./b.img"))).containsExactly(b);
        Mounter.unmountAll(a);
        Mounter.unmountAll(again);
        assertThat(LoopMounts.of(dir.resolve("a.img"))).isEmpty();
        Path plain = Files.writeString(dir.resolve("plain"), "never mounted");
        assertThat(LoopMounts.of(plain)).isEmpty();
    }

    @Test
    void fsStatsOfAMountAreWhatDfShows() throws Exception {
        Images.requireMkfs("ext4");
        Path m = dir.resolve("m");
        Images.mountFresh("ext4", dir.resolve("m.img"), 64, m);
        FsStats before = FsStats.of(m);
        assertThat(before.blockSize()).isEqualTo(Files.getFileStore(m).getBlockSize());
        assertThat(before.totalBytes()).isEqualTo(Files.getFileStore(m).getTotalSpace());
        assertThat(before.totalBytes()).isBetween(48L << 20, 64L << 20);
        Files.createDirectory(m.resolve("d"));
        Files.writeString(m.resolve("d/f"), "x");
        FsStats after = FsStats.of(m);
        assertThat(after.usedFiles()).isEqualTo(before.usedFiles() + 2);
        assertThat(after.files()).isEqualTo(before.files());
    }
}
