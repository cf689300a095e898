package io.strata.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.strata.api.Mount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeCopierTest {
    private static final long HOUR = 3_600_000_000_000L;

    @TempDir
    Path dir;

    /**
     * Reading a file bumps its atime under relatime once its ctime moved past it, so the tests
     * work on a noatime view of their temporary directory: then neither the copier's reads nor the
     * test's own comparisons disturb the times being compared.
     */
    @BeforeEach
    void noatime() throws Exception {
        Mounter.mountAll(List.of(new Mount("bind", dir.toString(), List.of("bind", "noatime"))), dir);
    }

    @AfterEach
    void unmount() throws Exception {
        MountTable.cleanUnder(dir);
    }

    /** Times an hour ago (recent enough that relatime will not bump atime on a read), with odd nanoseconds. */
    private static long recent(long nanos) {
        return (System.currentTimeMillis() * 1_000_000L) - HOUR + nanos;
    }

    private Path richTree() throws IOException {
        Path src = Files.createDirectory(dir.resolve("src"));
        Path file = Files.writeString(src.resolve("file"), "plain content");
        FileOps.lchown(file, 1000, 2000);
        FileOps.chmod(file, 0640);

        Path suid = Files.writeString(src.resolve("su"), "#!/bin/true\n");
        FileOps.lchown(suid, 0, 0);
        FileOps.chmod(suid, 04755);
        Path sgid = Files.writeString(src.resolve("sg"), "x");
        FileOps.lchown(sgid, 12, 34);
        FileOps.chmod(sgid, 02711);

        Path sticky = Files.createDirectory(src.resolve("tmp"));
        FileOps.chmod(sticky, 01777);
        Path sgidDir = Files.createDirectory(src.resolve("shared"));
        FileOps.lchown(sgidDir, 5, 6);
        FileOps.chmod(sgidDir, 02775);

        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        FileOps.setXattr(file, "user.binary", all);
        Path opaque = Files.createDirectories(src.resolve("opaque/inside"));
        FileOps.setXattr(opaque.getParent(), "trusted.overlay.opaque", "y".getBytes());
        Files.writeString(opaque.resolve("f"), "in opaque");

        Path a = Files.writeString(src.resolve("hard-a"), "shared inode");
        Files.createDirectories(src.resolve("deep/er"));
        Files.createLink(src.resolve("deep/hard-b"), a);
        Files.createLink(src.resolve("deep/er/hard-c"), a);
        FileOps.chmod(a, 0604);

        Path dangling = Files.createSymbolicLink(src.resolve("dangling"), Path.of("does/not/exist"));
        FileOps.lchown(dangling, 77, 88);
        FileOps.setXattr(dangling, "trusted.link-note", new byte[] {9, 0, 9});
        Files.createSymbolicLink(src.resolve("deep/er/relative"), Path.of("../../file"));
        Files.createSymbolicLink(src.resolve("absolute"), Path.of("/etc/hostname"));
        FileOps.setTimes(dangling, recent(111), recent(-222_333_444_555L));

        FileOps.mknod(src.resolve("null"), Stat.S_IFCHR | 0666, 1, 3);
        FileOps.mknod(src.resolve("loopdev"), Stat.S_IFBLK | 0660, 7, 123);
        FileOps.mkfifo(src.resolve("fifo"), 0610);
        FileOps.mknod(src.resolve("sock"), Stat.S_IFSOCK | 0755, 0, 0);
        Files.createFile(src.resolve("empty"));

        try (RandomAccessFile f = new RandomAccessFile(src.resolve("sparse").toFile(), "rw")) {
            f.setLength(32L << 20);
            f.seek(16L << 20);
            f.write("data in the middle".getBytes());
        }

        FileOps.setTimes(file, recent(123_456_789), recent(-HOUR + 987_654_321));
        FileOps.setTimes(src.resolve("null"), recent(1), recent(-5_000_000_001L));
        // Directory times last, after their contents are final.
        FileOps.setTimes(src.resolve("deep/er"), recent(42), recent(-HOUR - 1));
        FileOps.setTimes(src.resolve("deep"), recent(43), recent(-HOUR - 2));
        FileOps.setTimes(src.resolve("opaque"), recent(44), recent(-HOUR - 3));
        FileOps.setTimes(src, recent(45), recent(-HOUR - 4));
        return src;
    }

    @Test
    void copyKeepsEverythingContainerdKeeps() throws Exception {
        Path src = richTree();
        Map<String, String> before = TreeDescription.of(src);
        Path dst = dir.resolve("dst");
        TreeCopier.copy(src, dst);
        assertThat(TreeDescription.of(dst)).containsExactlyEntriesOf(before);

        // A few of those facts spelled out, so a failure says which one broke.
        assertThat(Stat.lstat(dst.resolve("su")).permissions()).isEqualTo(04755);
        assertThat(Stat.lstat(dst.resolve("sg")).permissions()).isEqualTo(02711);
        assertThat(Stat.lstat(dst.resolve("sg")).gid()).isEqualTo(34);
        assertThat(Stat.lstat(dst.resolve("tmp")).permissions()).isEqualTo(01777);
        assertThat(Stat.lstat(dst.resolve("shared")).permissions()).isEqualTo(02775);
        assertThat(Stat.lstat(dst.resolve("file")).uid()).isEqualTo(1000);
        assertThat(Stat.lstat(dst.resolve("file")).gid()).isEqualTo(2000);
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        assertThat(FileOps.getXattr(dst.resolve("file"), "user.binary")).isEqualTo(all);
        assertThat(FileOps.getXattr(dst.resolve("opaque"), "trusted.overlay.opaque")).isEqualTo("y".getBytes());
        Stat ha = Stat.lstat(dst.resolve("hard-a"));
        assertThat(ha.nlink()).isEqualTo(3);
        assertThat(Stat.lstat(dst.resolve("deep/hard-b")).ino()).isEqualTo(ha.ino());
        assertThat(Stat.lstat(dst.resolve("deep/er/hard-c")).ino()).isEqualTo(ha.ino());
        assertThat(ha.ino()).isNotEqualTo(Stat.lstat(src.resolve("hard-a")).ino());
        assertThat(Files.readSymbolicLink(dst.resolve("dangling"))).isEqualTo(Path.of("does/not/exist"));
        assertThat(Stat.lstat(dst.resolve("dangling")).uid()).isEqualTo(77);
        assertThat(Stat.lstat(dst.resolve("dangling")).mtimeNanos()).isEqualTo(Stat.lstat(src.resolve("dangling")).mtimeNanos());
        assertThat(FileOps.getXattr(dst.resolve("dangling"), "trusted.link-note")).containsExactly(9, 0, 9);
        assertThat(Files.readString(dst.resolve("deep/er/relative"))).isEqualTo("plain content");
        Stat nul = Stat.lstat(dst.resolve("null"));
        assertThat(nul.isCharDevice()).isTrue();
        assertThat(nul.rdevMajor()).isEqualTo(1);
        assertThat(nul.rdevMinor()).isEqualTo(3);
        assertThat(Stat.lstat(dst.resolve("loopdev")).isBlockDevice()).isTrue();
        assertThat(Stat.lstat(dst.resolve("loopdev")).rdevMinor()).isEqualTo(123);
        assertThat(Stat.lstat(dst.resolve("fifo")).isFifo()).isTrue();
        assertThat(Stat.lstat(dst.resolve("sock")).isSocket()).isTrue();
        assertThat(Stat.lstat(dst.resolve("file")).mtimeNanos() % 1_000_000_000L)
                .isEqualTo(Stat.lstat(src.resolve("file")).mtimeNanos() % 1_000_000_000L);
        assertThat(Stat.lstat(dst.resolve("deep/er")).mtimeNanos()).isEqualTo(Stat.lstat(src.resolve("deep/er")).mtimeNanos());
        assertThat(Stat.lstat(dst).mtimeNanos()).isEqualTo(Stat.lstat(src).mtimeNanos());
        Stat sparse = Stat.lstat(dst.resolve("sparse"));
        assertThat(sparse.size()).isEqualTo(32L << 20);
        assertThat(sparse.blocks() * 512).isLessThan(1L << 20);
    }

    @Test
    void copyIntoAnExistingDirectoryTakesTheRootsMetadata() throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        Files.writeString(src.resolve("f"), "f");
        FileOps.lchown(src, 31, 32);
        FileOps.chmod(src, 0750);
        FileOps.setXattr(src, "user.root", new byte[] {1});
        long mtime = recent(-HOUR + 6);
        FileOps.setTimes(src, recent(5), mtime);
        Path dst = Files.createDirectory(dir.resolve("dst"));
        FileOps.chmod(dst, 0700);
        Files.writeString(dst.resolve("already-there"), "kept");
        TreeCopier.copy(src, dst);
        Stat d = Stat.lstat(dst);
        assertThat(d.permissions()).isEqualTo(0750);
        assertThat(d.uid()).isEqualTo(31);
        assertThat(d.mtimeNanos()).isEqualTo(mtime);
        assertThat(FileOps.getXattr(dst, "user.root")).containsExactly(1);
        assertThat(Files.readString(dst.resolve("f"))).isEqualTo("f");
        assertThat(Files.readString(dst.resolve("already-there"))).isEqualTo("kept");
    }

    @Test
    void deepAndWideTreesNeedNoRecursion() throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        Path p = src;
        for (int i = 0; i < 400; i++) {
            p = Files.createDirectory(p.resolve("d"));
        }
        Files.writeString(p.resolve("bottom"), "deep");
        Path wide = Files.createDirectory(src.resolve("wide"));
        for (int i = 0; i < 3000; i++) {
            Files.writeString(wide.resolve("a-rather-long-file-name-to-fill-getdents-buffers-" + i), Integer.toString(i));
        }
        Path dst = dir.resolve("dst");
        TreeCopier.copy(src, dst);
        assertThat(Files.readString(dst.resolve(src.relativize(p)).resolve("bottom"))).isEqualTo("deep");
        try (var s = Files.list(dst.resolve("wide"))) {
            assertThat(s.count()).isEqualTo(3000);
        }
        assertThat(Files.readString(dst.resolve("wide/a-rather-long-file-name-to-fill-getdents-buffers-2999")))
                .isEqualTo("2999");
    }

    @Test
    void namesThatAreNotUtf8AreCopiedByteForByte() throws Exception {
        Path src = Files.createDirectory(dir.resolve("src"));
        byte[] name = {'b', 'a', 'd', (byte) 0xff, (byte) 0xfe};
        Sys.mkdir(NativePath.child(NativePath.bytes(src), name), 0755);
        Path dst = dir.resolve("dst");
        TreeCopier.copy(src, dst);
        List<byte[]> names = new ArrayList<>();
        DirReader.read(NativePath.bytes(dst), (n, len, type) -> names.add(n.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE)));
        assertThat(names).hasSize(1);
        assertThat(names.getFirst()).isEqualTo(name);
    }

    @Test
    void refusesNonDirectories() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> TreeCopier.copy(file, dir.resolve("dst"))).isInstanceOf(NotDirectoryException.class);
        Path src = Files.createDirectory(dir.resolve("src"));
        assertThatThrownBy(() -> TreeCopier.copy(src, file)).hasMessageContaining("non-directory");
        assertThatThrownBy(() -> TreeCopier.copy(dir.resolve("missing"), dir.resolve("dst")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(ErrnoException.ENOENT));
    }

    @Test
    void followsASymlinkAtTheSourceRoot() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Files.writeString(real.resolve("f"), "via link");
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        TreeCopier.copy(link, dir.resolve("dst"));
        assertThat(Files.readString(dir.resolve("dst/f"))).isEqualTo("via link");
    }

    @Test
    void reflinksFilesOnXfs() throws Exception {
        Images.requireMkfs("xfs");
        Path mnt = dir.resolve("xfs");
        Images.mountFresh("xfs", dir.resolve("xfs.img"), 300, mnt);
        Path src = Files.createDirectory(mnt.resolve("src"));
        byte[] big = new byte[64 << 20];
        new java.util.Random(1).nextBytes(big);
        Files.write(src.resolve("big"), big);
        FileOps.syncfs(mnt);
        long freeBefore = Files.getFileStore(mnt).getUnallocatedSpace();
        TreeCopier.copy(src, mnt.resolve("dst"));
        FileOps.syncfs(mnt);
        long freeAfter = Files.getFileStore(mnt).getUnallocatedSpace();
        assertThat(Files.mismatch(src.resolve("big"), mnt.resolve("dst/big"))).isEqualTo(-1);
        // A real copy would take 64 MiB; shared extents take (almost) nothing.
        assertThat(freeBefore - freeAfter).isLessThan(8L << 20);
    }
}
