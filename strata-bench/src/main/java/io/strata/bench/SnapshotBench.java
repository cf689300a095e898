package io.strata.bench;

import io.strata.api.Snapshotter;
import io.strata.backend.BlockOptions;
import io.strata.backend.block.BlockSnapshotter;
import io.strata.backend.nativefs.NativeSnapshotter;
import io.strata.backend.overlay.OverlayOptions;
import io.strata.backend.overlay.OverlaySnapshotter;
import io.strata.fs.FileOps;
import io.strata.metastore.Durability;
import io.strata.metastore.MetaStore;
import io.strata.metastore.SqliteMetaStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * Per-operation latency (p50, p99) and throughput of prepare, stat, commit and remove, for each
 * backend, with 1 and 64 concurrent callers, durable (SQLite {@code synchronous=FULL}) and, to
 * show what durability costs, with the metastore's fsync turned off. Also times a bare directory
 * fsync and a syncfs on the same file system. Prints a table; asserts nothing.
 *
 * <p>Usage: {@code java -jar strata-bench.jar [--root DIR] [--ops N] [--threads 1,64]}.
 */
public final class SnapshotBench {

    public static void main(String[] args) throws Exception {
        Path base = Path.of("/var/tmp/strata-bench");
        int ops = 2000;
        List<Integer> threads = List.of(1, 64);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> base = Path.of(args[++i]);
                case "--ops" -> ops = Integer.parseInt(args[++i]);
                case "--threads" -> threads = java.util.Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Files.createDirectories(base);
        System.out.printf(Locale.ROOT, "strata snapshot benchmark: %d ops per phase, root %s (%s)%n%n", ops, base,
                Files.getFileStore(base).type());
        rawSyncCosts(base);
        System.out.printf(Locale.ROOT, "%-10s %-9s %7s %-8s %10s %10s %10s%n", "backend", "durable", "threads", "op",
                "p50 µs", "p99 µs", "ops/s");
        for (String backend : List.of("overlayfs", "native", "block")) {
            for (boolean durable : List.of(true, false)) {
                for (int t : threads) {
                    Path root = base.resolve(backend + "-" + (durable ? "durable" : "nosync") + "-" + t);
                    FileOps.deleteTree(root);
                    try (Snapshotter sn = open(backend, root, durable)) {
                        run(sn, backend, durable, t, ops);
                    }
                    FileOps.deleteTree(root);
                }
            }
        }
    }

    private static Snapshotter open(String backend, Path root, boolean durable) throws IOException {
        Files.createDirectories(root);
        MetaStore store = SqliteMetaStore.open(root.resolve("metadata.db"),
                durable ? Durability.FULL : Durability.NONE);
        return switch (backend) {
            case "overlayfs" -> OverlaySnapshotter.open(root, store, OverlayOptions.DEFAULTS);
            case "native" -> NativeSnapshotter.open(root, store);
            case "block" -> BlockSnapshotter.open(root, store, BlockOptions.DEFAULTS);
            default -> throw new IllegalArgumentException(backend);
        };
    }

    private static void run(Snapshotter sn, String backend, boolean durable, int threads, int ops) throws Exception {
        sn.prepare("base-a", "");
        sn.commit("base", "base-a");
        phase(sn, backend, durable, threads, ops, "prepare", i -> sn.prepare("a-" + i, "base"));
        phase(sn, backend, durable, threads, ops, "stat", i -> sn.stat("a-" + i));
        phase(sn, backend, durable, threads, ops, "commit", i -> sn.commit("c-" + i, "a-" + i));
        phase(sn, backend, durable, threads, ops, "remove", i -> sn.remove("c-" + i));
    }

    private static void phase(Snapshotter sn, String backend, boolean durable, int threads, int ops, String name,
                              IntConsumer op) throws Exception {
        Phase.Result r = Phase.run(threads, ops, op);
        System.out.printf(Locale.ROOT, "%-10s %-9s %7d %-8s %10.0f %10.0f %10.0f%n", backend, durable ? "yes" : "no (fsync off)",
                threads, name, r.latencies().percentile(50) / 1e3, r.latencies().percentile(99) / 1e3, r.opsPerSecond());
    }

    private static void rawSyncCosts(Path base) throws IOException {
        Path dir = Files.createDirectories(base.resolve("sync-probe"));
        Latencies fsync = new Latencies(500);
        Latencies syncfs = new Latencies(500);
        for (int i = 0; i < 500; i++) {
            Path d = Files.createDirectory(dir.resolve("d" + i));
            long s = System.nanoTime();
            FileOps.fsync(dir);
            fsync.add(System.nanoTime() - s);
            Files.delete(d);
            s = System.nanoTime();
            FileOps.syncfs(dir);
            syncfs.add(System.nanoTime() - s);
        }
        FileOps.deleteTree(dir);
        System.out.printf(Locale.ROOT, "fsync cost on this file system: fsync(dir) after mkdir p50 %.0f µs p99 %.0f µs; "
                        + "syncfs p50 %.0f µs p99 %.0f µs%n%n",
                fsync.percentile(50) / 1e3, fsync.percentile(99) / 1e3, syncfs.percentile(50) / 1e3, syncfs.percentile(99) / 1e3);
    }

}
