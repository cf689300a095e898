package io.strata.archive;

import io.strata.fs.FileOps;
import io.strata.fs.Stat;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** A tree with every kind of entry a layer can carry, built with real syscalls. */
final class RichTree {
    /** A security.capability value (v2, cap_net_bind_service): binary, with NUL bytes. */
    static final byte[] CAPABILITY = {0x00, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    private RichTree() {}

    static void build(Path root) throws IOException {
        Files.createDirectories(root);
        Path etc = dir(root.resolve("etc"), 0755, 0, 0);
        file(etc.resolve("passwd"), "root:x:0:0::/root:/bin/sh\n".getBytes(), 0644, 0, 0);
        file(etc.resolve("shadow"), "root:*:1::::::\n".getBytes(), 0640, 0, 42);
        Path bin = dir(root.resolve("usr/bin"), 0755, 0, 0);
        file(bin.resolve("su"), "#!/bin/sh\n".getBytes(), 04755, 0, 0);
        file(bin.resolve("wall"), "#!/bin/sh\n".getBytes(), 02755, 0, 5);
        file(bin.resolve("ping"), new byte[] {0x7f, 'E', 'L', 'F'}, 0755, 0, 0);
        FileOps.setXattr(bin.resolve("ping"), "security.capability", CAPABILITY);
        // A later hard-link entry to a file with a capability: applying it must not clear it.
        file(bin.resolve("arping"), new byte[] {0x7f, 'E', 'L', 'F', 2}, 0755, 0, 0);
        FileOps.setXattr(bin.resolve("arping"), "security.capability", CAPABILITY);
        Files.createLink(bin.resolve("arping-link"), bin.resolve("arping"));
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        Files.createSymbolicLink(root.resolve("abs-link"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("nowhere/at/all"));
        FileOps.lchown(root.resolve("dangling"), 1000, 1000);
        Path tmp = dir(root.resolve("tmp"), 01777, 0, 0);
        Path home = dir(root.resolve("home/user"), 0700, 1000, 1000);
        file(home.resolve("notes.txt"), "hello\n".getBytes(), 0600, 1000, 1000);
        FileOps.setXattr(home.resolve("notes.txt"), "user.comment", "a \u00e9 value".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        FileOps.setXattr(home, "user.dirattr", new byte[] {0, 1, 2, (byte) 0xff});
        file(home.resolve("empty"), new byte[0], 0644, 1000, 1000);
        Path data = dir(root.resolve("data"), 0750, 33, 33);
        byte[] random = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(random);
        file(data.resolve("random.bin"), random, 0644, 33, 33);
        Files.createLink(data.resolve("hardlink-1"), data.resolve("random.bin"));
        Files.createLink(root.resolve("hardlink-2"), data.resolve("random.bin"));
        Path sparse = data.resolve("sparse.img");
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.seek(1 << 20);
            f.write("middle".getBytes());
            f.setLength(8L << 20);
        }
        Path dev = dir(root.resolve("dev"), 0755, 0, 0);
        FileOps.mknod(dev.resolve("null"), Stat.S_IFCHR | 0666, 1, 3);
        FileOps.mknod(dev.resolve("loop9"), Stat.S_IFBLK | 0660, 7, 9);
        FileOps.lchown(dev.resolve("loop9"), 0, 6);
        FileOps.mkfifo(root.resolve("tmp/fifo"), 0620);
        StringBuilder longName = new StringBuilder("deep");
        for (int i = 0; i < 12; i++) {
            longName.append("/directory-with-a-long-name-").append(i);
        }
        Path deep = dir(root.resolve(longName.toString()), 0755, 0, 0);
        file(deep.resolve("f".repeat(200)), "long".getBytes(), 0644, 0, 0);
        Files.createSymbolicLink(deep.resolve("to-long-target"), Path.of("x".repeat(180) + "/" + "y".repeat(150)));
        file(root.resolve("unicode-\u00fcml\u00e4ut-\u65e5\u672c"), "u".getBytes(), 0644, 0, 0);
        file(root.resolve("big-owner"), "o".getBytes(), 0644, 3_000_000, 2_500_000);
        // Times: nanoseconds on files, old and future times, set last (children change dir mtimes).
        FileOps.setTimes(etc.resolve("passwd"), 1_600_000_000_123_456_789L, 1_600_000_000_123_456_789L);
        FileOps.setTimes(home.resolve("empty"), 0, 86_400_000_000_000L);
        FileOps.setTimes(root.resolve("dangling"), 1_500_000_000_000_000_000L, 1_500_000_000_000_000_000L);
        FileOps.setTimes(tmp, 1_700_000_000_000_000_000L, 1_700_000_000_000_000_000L);
        FileOps.setTimes(deep, 1_234_567_890_000_000_000L, 1_234_567_890_000_000_000L);
    }

    static Path dir(Path p, int mode, int uid, int gid) throws IOException {
        Files.createDirectories(p);
        FileOps.lchown(p, uid, gid);
        FileOps.chmod(p, mode);
        return p;
    }

    static void file(Path p, byte[] content, int mode, int uid, int gid) throws IOException {
        Files.write(p, content);
        FileOps.lchown(p, uid, gid);
        FileOps.chmod(p, mode);
    }
}
