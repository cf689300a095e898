package io.strata.bench;

import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.grpc.RemoteSnapshotter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Drives snapshots gRPC servers with the same Java client ({@link RemoteSnapshotter}) and prints
 * prepare, stat, commit and remove latency (p50, p99) and ops/s side by side, for 1, 16 and 64
 * concurrent callers. Each target is {@code label=socket:snapshotter[:namespace]}, for example
 * {@code strata=/run/strata/strata.sock:overlayfs} and
 * {@code containerd=/run/containerd/containerd.sock:overlayfs:bench}.
 *
 * <p>Usage: {@code java -cp strata-bench.jar io.strata.bench.DaemonBench [--ops N] [--threads 1,16,64] TARGET...}
 */
public final class DaemonBench {

    record Target(String label, Path socket, String snapshotter, String namespace) {
        static Target parse(String s) {
            int eq = s.indexOf('=');
            String[] f = s.substring(eq + 1).split(":");
            return new Target(s.substring(0, eq), Path.of(f[0]), f[1], f.length > 2 ? f[2] : "");
        }

        Snapshotter connect() {
            var b = RemoteSnapshotter.builder(socket, snapshotter);
            if (!namespace.isEmpty()) {
                b.namespace(namespace);
            }
            return b.connect();
        }
    }

    private static final int WARMUP = Integer.getInteger("warmup", 3000);

    public static void main(String[] args) throws Exception {
        int ops = 2000;
        List<Integer> threads = List.of(1, 16, 64);
        List<Target> targets = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--ops" -> ops = Integer.parseInt(args[++i]);
                case "--threads" -> threads = java.util.Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                default -> targets.add(Target.parse(args[i]));
            }
        }
        // The JVMs (this client and the Strata daemon) need warming up; containerd is compiled ahead of time.
        System.out.println("warming up every server with " + WARMUP + " rounds...");
        for (Target target : targets) {
            try (Snapshotter sn = target.connect()) {
                String p = "warm-" + System.nanoTime() + "-";
                sn.prepare(p + "base-a", "", ROOT);
                sn.commit(p + "base", p + "base-a", ROOT);
                for (int i = 0; i < WARMUP; i++) {
                    sn.prepare(p + i, p + "base", ROOT);
                    for (int k = 0; k < 10; k++) {
                        sn.stat(p + i);
                    }
                    sn.commit(p + "c" + i, p + i, ROOT);
                    sn.remove(p + "c" + i);
                }
                sn.remove(p + "base");
            }
        }
        System.out.printf(Locale.ROOT, "%-12s %7s %-8s %10s %10s %10s%n", "server", "callers", "op", "p50 µs", "p99 µs", "ops/s");
        for (int t : threads) {
            for (Target target : targets) {
                try (Snapshotter sn = target.connect()) {
                    run(sn, target.label(), t, ops, "r" + t + "-" + System.nanoTime() + "-");
                }
            }
        }
    }

    /** containerd's GC removes snapshots nothing refers to; a gc.root label keeps them, for everyone alike. */
    private static final SnapshotOption ROOT = SnapshotOption.labels(Map.of("containerd.io/gc.root", "bench"));

    private static void run(Snapshotter sn, String label, int threads, int ops, String p) throws Exception {
        sn.prepare(p + "base-a", "", ROOT);
        sn.commit(p + "base", p + "base-a", ROOT);
        phase(label, threads, ops, "prepare", i -> sn.prepare(p + "a-" + i, p + "base", ROOT));
        phase(label, threads, ops, "stat", i -> sn.stat(p + "a-" + i));
        phase(label, threads, ops, "commit", i -> sn.commit(p + "c-" + i, p + "a-" + i, ROOT));
        phase(label, threads, ops, "remove", i -> sn.remove(p + "c-" + i));
        sn.remove(p + "base");
    }

    private static void phase(String label, int threads, int ops, String name, IntConsumer op) throws Exception {
        Phase.Result r = Phase.run(threads, ops, op);
        System.out.printf(Locale.ROOT, "%-12s %7d %-8s %10.0f %10.0f %10.0f%n", label, threads, name,
                r.latencies().percentile(50) / 1e3, r.latencies().percentile(99) / 1e3, r.opsPerSecond());
    }
}
