package io.strata.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileOpsTest {
    @TempDir
    Path dir;

    @AfterEach
    void unmount() throws Exception {
        MountTable.cleanUnder(dir);
    }

    @Test
    void chmodKeepsSetuidSetgidSticky() throws Exception {
        Path f = Files.createFile(dir.resolve("f"));
        Path d = Files.createDirectory(dir.resolve("d"));
        FileOps.chmod(f, 06755);
        FileOps.chmod(d, 01777);
        assertThat(Stat.lstat(f).permissions()).isEqualTo(06755);
        assertThat(Stat.lstat(d).permissions()).isEqualTo(01777);
        FileOps.chmod(f, 0400);
        assertThat(Stat.lstat(f).permissions()).isEqualTo(0400);
    }

    @Test
    void chmodDoesNotFollowSymlinks() throws Exception {
        Path f = Files.createFile(dir.resolve("f"));
        FileOps.chmod(f, 0644);
        Path l = Files.createSymbolicLink(dir.resolve("l"), f);
        assertThatThrownBy(() -> FileOps.chmod(l, 0600))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(ErrnoException.EOPNOTSUPP));
        assertThat(Stat.lstat(f).permissions()).isEqualTo(0644);
    }

    @Test
    void lchownChangesTheLinkNotTheTarget() throws Exception {
        Path f = Files.createFile(dir.resolve("f"));
        Path l = Files.createSymbolicLink(dir.resolve("l"), f);
        FileOps.lchown(l, 4321, 8765);
        assertThat(Stat.lstat(l).uid()).isEqualTo(4321);
        assertThat(Stat.lstat(l).gid()).isEqualTo(8765);
        assertThat(Stat.lstat(f).uid()).isZero();
    }

    @Test
    void mknodAndMkfifoCreateExactNodes() throws Exception {
        Path cdev = dir.resolve("null");
        FileOps.mknod(cdev, Stat.S_IFCHR | 0666, 1, 3);
        Stat c = Stat.lstat(cdev);
        assertThat(c.isCharDevice()).isTrue();
        assertThat(c.permissions()).isEqualTo(0666); // not reduced by the umask
        assertThat(c.rdev()).isEqualTo(Stat.lstat(Path.of("/dev/null")).rdev());
        Path bdev = dir.resolve("blk");
        FileOps.mknod(bdev, Stat.S_IFBLK | 0600, 7, 250);
        assertThat(Stat.lstat(bdev).isBlockDevice()).isTrue();
        assertThat(Stat.lstat(bdev).rdevMajor()).isEqualTo(7);
        assertThat(Stat.lstat(bdev).rdevMinor()).isEqualTo(250);
        Path fifo = dir.resolve("fifo");
        FileOps.mkfifo(fifo, 0620);
        assertThat(Stat.lstat(fifo).isFifo()).isTrue();
        assertThat(Stat.lstat(fifo).permissions()).isEqualTo(0620);
        Path sock = dir.resolve("sock");
        FileOps.mknod(sock, Stat.S_IFSOCK | 0755, 0, 0);
        assertThat(Stat.lstat(sock).isSocket()).isTrue();
        assertThatThrownBy(() -> FileOps.mkfifo(fifo, 0600))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(ErrnoException.EEXIST));
    }

    @Test
    void setTimesWithNanosecondsOnLinksAndFiles() throws Exception {
        Path f = Files.createFile(dir.resolve("f"));
        Path l = Files.createSymbolicLink(dir.resolve("l"), f);
        long a = 1_600_000_000_123_456_789L;
        long m = 1_500_000_000_987_654_321L;
        FileOps.setTimes(l, a, m);
        assertThat(Stat.lstat(l).atimeNanos()).isEqualTo(a);
        assertThat(Stat.lstat(l).mtimeNanos()).isEqualTo(m);
        assertThat(Stat.lstat(f).mtimeNanos()).isNotEqualTo(m);
        FileOps.setTimes(f, a + 1, m + 1);
        assertThat(Stat.lstat(f).mtimeNanos()).isEqualTo(m + 1);
        FileOps.setTimes(f, -1_500_000_001L, -2L); // before the epoch
        assertThat(Stat.lstat(f).atimeNanos()).isEqualTo(-1_500_000_001L);
        assertThat(Stat.lstat(f).mtimeNanos()).isEqualTo(-2L);
    }

    @Test
    void xattrsAreBinaryAndDoNotFollowLinks() throws Exception {
        Path f = Files.createFile(dir.resolve("f"));
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        FileOps.setXattr(f, "user.bin", all);
        FileOps.setXattr(f, "trusted.overlay.opaque", "y".getBytes());
        FileOps.setXattr(f, "user.empty", new byte[0]);
        assertThat(FileOps.listXattrs(f)).contains("user.bin", "trusted.overlay.opaque", "user.empty");
        assertThat(FileOps.getXattr(f, "user.bin")).isEqualTo(all);
        assertThat(FileOps.getXattr(f, "user.empty")).isEmpty();
        Path l = Files.createSymbolicLink(dir.resolve("l"), f);
        assertThat(FileOps.listXattrs(l)).doesNotContain("user.bin");
        FileOps.setXattr(l, "trusted.on-link", new byte[] {1, 2});
        assertThat(FileOps.getXattr(l, "trusted.on-link")).containsExactly(1, 2);
        assertThat(FileOps.listXattrs(f)).doesNotContain("trusted.on-link");
        FileOps.removeXattr(f, "user.bin");
        assertThatThrownBy(() -> FileOps.getXattr(f, "user.bin"))
                .isInstanceOfSatisfying(ErrnoException.class, e -> {
                    assertThat(e.errno()).isEqualTo(ErrnoException.ENODATA);
                    assertThat(e.getMessage()).contains("user.bin");
                });
    }

    @Test
    void fsyncFilesAndDirectoriesAndSyncfs() throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "x");
        FileOps.fsync(f);
        FileOps.fsync(dir);
        FileOps.syncfs(dir);
        assertThatThrownBy(() -> FileOps.fsync(dir.resolve("missing")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(ErrnoException.ENOENT));
    }

    @Test
    void cloneOrCopyOnExt4CopiesWithoutReflinkAndKeepsHoles() throws Exception {
        Path mnt = dir.resolve("ext4");
        Images.mountFresh("ext4", dir.resolve("ext4.img"), 128, mnt);
        assertThat(Images.fsType(mnt)).isEqualTo("ext4");
        Path src = mnt.resolve("src");
        byte[] data = new byte[3 << 20];
        new Random(42).nextBytes(data);
        try (RandomAccessFile f = new RandomAccessFile(src.toFile(), "rw")) {
            f.write(data);
            f.setLength(64L << 20);
            f.seek(40L << 20);
            f.write(data, 0, 4096);
        }
        Path dst = mnt.resolve("dst");
        CopyMethod how = FileOps.cloneOrCopy(src, dst);
        assertThat(how).isEqualTo(CopyMethod.COPY_FILE_RANGE);
        assertThat(Files.mismatch(src, dst)).isEqualTo(-1);
        Stat s = Stat.lstat(dst);
        assertThat(s.size()).isEqualTo(64L << 20);
        assertThat(s.blocks() * 512).isLessThan(8L << 20); // the 60 MiB hole stayed a hole
    }

    @Test
    void truncateGrowsSparseAndNamesTheLimit() throws Exception {
        Path mnt = dir.resolve("ext4"); // whose largest file (4 KiB blocks) is 16 TiB less one block
        Images.mountFresh("ext4", dir.resolve("ext4.img"), 64, mnt);
        Path f = Files.writeString(mnt.resolve("f"), "head");
        FileOps.truncate(f, 1L << 30);
        assertThat(Files.size(f)).isEqualTo(1L << 30);
        assertThat(Stat.lstat(f).blocks() * 512).isLessThan(1 << 20);
        try (var in = Files.newInputStream(f)) {
            assertThat(new String(in.readNBytes(4))).isEqualTo("head");
        }
        FileOps.truncate(f, 2);
        assertThat(Files.readString(f)).isEqualTo("he");
        assertThatThrownBy(() -> FileOps.truncate(f, 16L << 40))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(ErrnoException.EFBIG));
    }

    @Test
    void cloneOrCopySkipsUnwrittenExtentsAsHoles() throws Exception {
        // mkfs.ext4 lays out a file system image's journal as fallocated (unwritten) extents: they
        // count in st_blocks, read as zeros and must not be copied, or every copy of an empty
        // image would carry its whole journal.
        Path mnt = dir.resolve("ext4");
        Images.mountFresh("ext4", dir.resolve("ext4.img"), 128, mnt);
        Path src = mnt.resolve("image");
        try (RandomAccessFile f = new RandomAccessFile(src.toFile(), "rw")) {
            f.setLength(64L << 20);
            f.write(new byte[] {1, 2, 3});
        }
        new ProcessBuilder("fallocate", "-o", Long.toString(8L << 20), "-l", Long.toString(32L << 20), src.toString())
                .inheritIO().start().waitFor();
        assertThat(Stat.lstat(src).blocks() * 512).isGreaterThanOrEqualTo(32L << 20);
        Path dst = mnt.resolve("copy");
        assertThat(FileOps.cloneOrCopy(src, dst)).isEqualTo(CopyMethod.COPY_FILE_RANGE);
        assertThat(Files.mismatch(src, dst)).isEqualTo(-1);
        assertThat(Stat.lstat(dst).blocks() * 512).isLessThan(1L << 20);
    }

    @Test
    void cloneOrCopyTruncatesAnExistingTargetAndRefusesNonFiles() throws Exception {
        Path src = Files.writeString(dir.resolve("empty"), "");
        Path dst = dir.resolve("copy");
        Files.writeString(dst, "old content that must go");
        FileOps.cloneOrCopy(src, dst);
        assertThat(Files.size(dst)).isZero();
        assertThatThrownBy(() -> FileOps.cloneOrCopy(dir, dir.resolve("x"))).hasMessageContaining("not a regular file");
    }

    @Test
    void cloneOrCopyReflinksOnXfs() throws Exception {
        Images.requireMkfs("xfs");
        Path mnt = dir.resolve("xfs");
        Images.mountFresh("xfs", dir.resolve("xfs.img"), 300, mnt);
        assertThat(Images.fsType(mnt)).isEqualTo("xfs");
        Path src = mnt.resolve("src");
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        Files.write(src, data);
        Path dst = mnt.resolve("dst");
        assertThat(FileOps.cloneOrCopy(src, dst)).isEqualTo(CopyMethod.REFLINK);
        assertThat(Files.readAllBytes(dst)).isEqualTo(data);
        // Across file systems the clone cannot work: falls back to a copy.
        Path outside = dir.resolve("outside");
        assertThat(FileOps.cloneOrCopy(src, outside)).isEqualTo(CopyMethod.READ_WRITE);
        assertThat(Files.readAllBytes(outside)).isEqualTo(data);
    }

    @Test
    void cloneOrCopyOnTmpfsFallsBackFromReflink() throws Exception {
        Path mnt = Files.createDirectory(dir.resolve("tmpfs"));
        Mounter.mountAll(java.util.List.of(new io.strata.api.Mount("tmpfs", "tmpfs", java.util.List.of("size=16m"))), mnt);
        Path src = Files.writeString(mnt.resolve("a"), "tmpfs data");
        Path dst = mnt.resolve("b");
        assertThat(FileOps.cloneOrCopy(src, dst)).isIn(CopyMethod.COPY_FILE_RANGE, CopyMethod.READ_WRITE);
        assertThat(Files.readString(dst)).isEqualTo("tmpfs data");
        // ext4 to tmpfs: copy_file_range refuses to cross (EXDEV), so the bytes go through a buffer.
        byte[] data = new byte[(5 << 20) + 17];
        new Random(3).nextBytes(data);
        Path big = Files.write(dir.resolve("big"), data);
        assertThat(FileOps.cloneOrCopy(big, mnt.resolve("big"))).isEqualTo(CopyMethod.READ_WRITE);
        assertThat(Files.readAllBytes(mnt.resolve("big"))).isEqualTo(data);
    }
}
