package io.strata.bench;

import io.strata.api.Mount;
import io.strata.api.Snapshotter;
import io.strata.backend.BlockOptions;
import io.strata.backend.block.BlockSnapshotter;
import io.strata.backend.overlay.OverlayOptions;
import io.strata.backend.overlay.OverlaySnapshotter;
import io.strata.fs.CopyMethod;
import io.strata.fs.FileOps;
import io.strata.fs.Mounter;
import io.strata.fs.Stat;
import io.strata.metastore.SqliteMetaStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Prepare latency of the block backend, its two copy paths side by side with overlayfs: block
 * with its root on an xfs loop file system (images are reflinks), block on the file system under
 * {@code --root} (ext4 here: sparse copies), and overlayfs there. Two cases: a prepare on a
 * committed parent holding {@code --parent-mb} MiB of files, and a prepare without parent (a copy
 * of the empty template). One caller, durable metastore; each prepared snapshot is removed before
 * the next prepare, outside the timing. Prints p50/p99 and ratios to overlayfs; asserts nothing.
 *
 * <p>Usage: {@code java -cp strata-bench.jar io.strata.bench.BlockPrepareBench [--root DIR]
 * [--ops N] [--parent-mb M]}. Needs root, mkfs.ext4 and mkfs.xfs.
 */
public final class BlockPrepareBench {
    private record Setup(String name, String fs, Path root, boolean block) {
    }

    private record Row(String setup, String fs, String caseName, Latencies lat, String note) {
    }

    public static void main(String[] args) throws Exception {
        Path base = Path.of("/var/tmp/strata-block-bench");
        int ops = 200;
        int parentMb = 64;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> base = Path.of(args[++i]);
                case "--ops" -> ops = Integer.parseInt(args[++i]);
                case "--parent-mb" -> parentMb = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Files.createDirectories(base);
        Path xfsImage = base.resolve("xfs.img");
        Path xfs = Files.createDirectories(base.resolve("xfs"));
        Mounter.unmountAll(xfs);
        try (RandomAccessFile f = new RandomAccessFile(xfsImage.toFile(), "rw")) {
            f.setLength(Math.max(4L << 30, (long) parentMb * 4 << 20));
        }
        run("mkfs.xfs", "-q", "-f", "-m", "reflink=1", xfsImage.toString());
        Mounter.mountAll(List.of(new Mount("xfs", xfsImage.toString(), List.of("loop"))), xfs);
        List<Row> rows = new ArrayList<>();
        try {
            System.out.printf(Locale.ROOT, "strata block prepare benchmark: %d prepares per case, parent with %d MiB of files,"
                    + " durable metastore, 1 caller%nhost root %s (%s), reflink root %s (%s)%n%n", ops, parentMb, base,
                    Files.getFileStore(base).type(), xfs, Files.getFileStore(xfs).type());
            String host = Files.getFileStore(base).type();
            for (Setup s : List.of(new Setup("overlayfs", host, base.resolve("overlayfs"), false),
                    new Setup("block/sparse", host, base.resolve("block"), true),
                    new Setup("overlayfs", "xfs", xfs.resolve("overlayfs"), false),
                    new Setup("block/reflink", "xfs", xfs.resolve("block"), true))) {
                FileOps.deleteTree(s.root());
                Files.createDirectories(s.root());
                try (Snapshotter sn = s.block()
                        ? BlockSnapshotter.open(s.root(), SqliteMetaStore.open(s.root().resolve("metadata.db")), BlockOptions.DEFAULTS)
                        : OverlaySnapshotter.open(s.root(), SqliteMetaStore.open(s.root().resolve("metadata.db")), OverlayOptions.DEFAULTS)) {
                    makeParent(sn, base, parentMb);
                    rows.add(time(sn, s, "on parent", "base", ops));
                    rows.add(time(sn, s, "no parent", "", ops));
                }
                FileOps.deleteTree(s.root());
            }
        } finally {
            Mounter.unmountAll(xfs);
            Files.deleteIfExists(xfsImage);
        }
        print(rows);
    }

    /** Commits "base": {@code mb} files of 1 MiB of random bytes. */
    private static void makeParent(Snapshotter sn, Path base, int mb) throws IOException {
        List<Mount> mounts = sn.prepare("base-a", "");
        Mounter.withMounted(mounts, base, root -> {
            Random rnd = new Random(1);
            byte[] data = new byte[1 << 20];
            for (int i = 0; i < mb; i++) {
                rnd.nextBytes(data);
                Files.write(root.resolve("file-" + i), data);
            }
            return null;
        });
        sn.commit("base", "base-a");
    }

    private static Row time(Snapshotter sn, Setup setup, String caseName, String parent, int ops) {
        for (int i = 0; i < Math.min(20, ops); i++) { // warm-up: JIT, template, spare directories
            sn.prepare("warm-" + i, parent);
            sn.remove("warm-" + i);
        }
        Latencies lat = new Latencies(ops);
        long bytes = 0;
        for (int i = 0; i < ops; i++) {
            String key = "p-" + i;
            long t0 = System.nanoTime();
            sn.prepare(key, parent);
            lat.add(System.nanoTime() - t0);
            if (sn instanceof BlockSnapshotter b && i == 0) {
                bytes = allocated(b.imageOf(key));
            }
            sn.remove(key);
        }
        String note = "";
        if (sn instanceof BlockSnapshotter b) {
            Map<CopyMethod, Long> counts = new LinkedHashMap<>(b.copyCounts());
            counts.values().removeIf(n -> n == 0);
            note = "copies " + counts + ", image allocates " + bytes / 1024 + " KiB";
        }
        return new Row(setup.name(), setup.fs(), caseName, lat, note);
    }

    private static long allocated(Path p) {
        try {
            return Stat.lstat(p).blocks() * 512;
        } catch (IOException e) {
            return -1;
        }
    }

    private static void print(List<Row> rows) {
        System.out.printf(Locale.ROOT, "%-14s %-5s %-10s %10s %10s %12s %12s  %s%n", "setup", "fs", "case", "p50 µs",
                "p99 µs", "p50/overlay", "p99/overlay", "(overlayfs on the same file system)");
        for (Row r : rows) {
            Row overlay = rows.stream().filter(o -> o.setup().equals("overlayfs") && o.fs().equals(r.fs())
                    && o.caseName().equals(r.caseName())).findFirst().orElse(r);
            System.out.printf(Locale.ROOT, "%-14s %-5s %-10s %10.0f %10.0f %11.1fx %11.1fx  %s%n", r.setup(), r.fs(), r.caseName(),
                    r.lat().percentile(50) / 1e3, r.lat().percentile(99) / 1e3,
                    (double) r.lat().percentile(50) / overlay.lat().percentile(50),
                    (double) r.lat().percentile(99) / overlay.lat().percentile(99), r.note());
        }
        for (String c : List.of("on parent", "no parent")) {
            Latencies sparse = find(rows, "block/sparse", c);
            Latencies reflink = find(rows, "block/reflink", c);
            System.out.printf(Locale.ROOT, "%nblock %s: sparse copy / reflink = %.1fx at p50, %.1fx at p99", c,
                    (double) sparse.percentile(50) / reflink.percentile(50), (double) sparse.percentile(99) / reflink.percentile(99));
        }
        System.out.println();
    }

    private static Latencies find(List<Row> rows, String setup, String caseName) {
        return rows.stream().filter(r -> r.setup().equals(setup) && r.caseName().equals(caseName)).findFirst()
                .orElseThrow().lat();
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
