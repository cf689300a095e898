package io.strata.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.Usage;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskUsageTest {
    @TempDir
    Path dir;

    @Test
    void countsEveryInodeOnceAndAllocatedBlocks() throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        Usage empty = DiskUsage.of(root);
        assertThat(empty.inodes()).isEqualTo(1);
        assertThat(empty.size()).isEqualTo(Stat.lstat(root).blocks() * 512);

        byte[] mib = new byte[1 << 20];
        new Random(1).nextBytes(mib);
        Path big = Files.write(root.resolve("big"), mib);
        FileOps.fsync(big);
        Usage withFile = DiskUsage.of(root);
        assertThat(withFile.inodes()).isEqualTo(2);
        assertThat(withFile.size() - empty.size()).isBetween(1L << 20, (1L << 20) + (64 << 10));

        Files.createDirectories(root.resolve("a/b"));
        Files.createLink(root.resolve("a/b/again"), big);
        Files.createLink(root.resolve("a/again"), big);
        Usage withLinks = DiskUsage.of(root);
        assertThat(withLinks.inodes()).isEqualTo(4); // root, big (three names), a, a/b
        assertThat(withLinks.size()).isEqualTo(withFile.size()
                + Stat.lstat(root.resolve("a")).blocks() * 512 + Stat.lstat(root.resolve("a/b")).blocks() * 512);
    }

    @Test
    void doesNotFollowSymlinksAndCountsHolesAsFree() throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        Path outside = Files.write(dir.resolve("outside"), new byte[4 << 20]);
        FileOps.fsync(outside);
        Files.createSymbolicLink(root.resolve("link"), outside);
        Files.createSymbolicLink(root.resolve("dirlink"), dir);
        try (RandomAccessFile f = new RandomAccessFile(root.resolve("sparse").toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        Usage u = DiskUsage.of(root);
        assertThat(u.inodes()).isEqualTo(4);
        assertThat(u.size()).isLessThan(64 << 10);
    }

    @Test
    void matchesAnIndependentCountOnAWideTree() throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        long expectedBlocks = Stat.lstat(root).blocks();
        for (int d = 0; d < 20; d++) {
            Path sub = Files.createDirectory(root.resolve("d" + d));
            for (int i = 0; i < 150; i++) {
                Files.write(sub.resolve("f" + i), new byte[i * 100]);
            }
        }
        FileOps.syncfs(root);
        long count;
        try (Stream<Path> s = Files.walk(root)) {
            long[] blocks = {0};
            count = s.peek(p -> {
                try {
                    blocks[0] += Stat.lstat(p).blocks();
                } catch (ErrnoException e) {
                    throw new RuntimeException(e);
                }
            }).count();
            expectedBlocks = blocks[0];
        }
        Usage u = DiskUsage.of(root);
        assertThat(u.inodes()).isEqualTo(count).isEqualTo(1 + 20 + 20 * 150);
        assertThat(u.size()).isEqualTo(expectedBlocks * 512);
    }

    @Test
    void aFileRootCountsItselfAndAMissingRootFails() throws Exception {
        Path f = Files.write(dir.resolve("f"), new byte[10000]);
        FileOps.fsync(f);
        assertThat(DiskUsage.of(f)).isEqualTo(new Usage(Stat.lstat(f).blocks() * 512, 1));
        assertThatThrownBy(() -> DiskUsage.of(dir.resolve("missing"))).isInstanceOf(ErrnoException.class);
    }
}
