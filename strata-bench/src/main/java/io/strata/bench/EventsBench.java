package io.strata.bench;

import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import io.strata.events.Event;
import io.strata.events.EventJournal;
import io.strata.events.PublishingSnapshotter;
import io.strata.events.Subscription;
import io.strata.fs.FileOps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * What publishing events costs: prepare, commit and remove on a durable backend without events
 * and with every change published to the root's journal (as the daemon and CLI do), side by side,
 * plus the journal's bare append rate and how long a subscriber takes to see an event. Prints a
 * table; asserts nothing.
 *
 * <p>Usage: {@code java -cp strata-bench.jar io.strata.bench.EventsBench [--root DIR] [--ops N] [--backend NAME]}.
 */
public final class EventsBench {

    public static void main(String[] args) throws Exception {
        Path base = Path.of("/var/tmp/strata-events-bench");
        int ops = 2000;
        String backend = "overlayfs";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> base = Path.of(args[++i]);
                case "--ops" -> ops = Integer.parseInt(args[++i]);
                case "--backend" -> backend = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        FileOps.deleteTree(base);
        Files.createDirectories(base);
        System.out.printf(Locale.ROOT, "strata events benchmark: %d ops per phase, backend %s, root %s (%s)%n%n", ops,
                backend, base, Files.getFileStore(base).type());
        appendRate(base.resolve("journal-only"), ops * 5);
        System.out.printf(Locale.ROOT, "%n%-8s %-14s %10s %10s %10s%n", "op", "events", "p50 µs", "p99 µs", "ops/s");
        double[] plain = snapshotOps(backend, base.resolve("plain"), ops, false);
        double[] published = snapshotOps(backend, base.resolve("published"), ops, true);
        String[] names = {"prepare", "commit", "remove"};
        System.out.println();
        for (int i = 0; i < names.length; i++) {
            System.out.printf(Locale.ROOT, "%-8s published/plain throughput ratio %.2f%n", names[i], published[i] / plain[i]);
        }
        FileOps.deleteTree(base);
    }

    private static void appendRate(Path root, int n) throws Exception {
        try (EventJournal journal = EventJournal.openIn(root);
             EventJournal reader = EventJournal.openIn(root)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                journal.publish("default", new Event.SnapshotCommit("key-" + i, "name-" + i, "overlayfs"));
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "journal append: %,d events in %.2f s = %,.0f events/s%n", n, secs, n / secs);
            // Another connection stands in for another process: it wakes for appends only by polling.
            // The publisher appends at random moments; latency is receipt time minus the envelope's stamp.
            Latencies seen = new Latencies(50);
            java.util.Random rnd = new java.util.Random(1);
            Thread publisher = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 50; i++) {
                    try {
                        Thread.sleep(rnd.nextInt(1, 100));
                    } catch (InterruptedException e) {
                        return;
                    }
                    journal.publish("default", new Event.ImageDelete("probe-" + i));
                }
            });
            try (Subscription sub = reader.subscribe(reader.latest(), e -> true)) {
                for (int i = 0; i < 50; i++) {
                    var got = sub.next(Duration.ofSeconds(10))
                            .orElseThrow(() -> new IllegalStateException("subscriber saw nothing in 10 s"));
                    seen.add(Duration.between(got.timestamp(), java.time.Instant.now()).toNanos());
                }
            }
            publisher.join();
            System.out.printf(Locale.ROOT, "seen by another connection: p50 %.1f ms, p99 %.1f ms%n",
                    seen.percentile(50) / 1e6, seen.percentile(99) / 1e6);
        }
    }

    /** Throughput of prepare, commit and remove, printed with latencies. */
    private static double[] snapshotOps(String backend, Path root, int ops, boolean events) throws Exception {
        Files.createDirectories(root);
        Snapshotter raw = Backends.open(backend, root);
        try (Snapshotter sn = events ? PublishingSnapshotter.owning(raw, EventJournal.openIn(root), "default", backend) : raw) {
            sn.prepare("base-a", "");
            sn.commit("base", "base-a");
            double[] rates = new double[3];
            rates[0] = phase("prepare", events, ops, i -> sn.prepare("a-" + i, "base"));
            rates[1] = phase("commit", events, ops, i -> sn.commit("c-" + i, "a-" + i));
            rates[2] = phase("remove", events, ops, i -> sn.remove("c-" + i));
            return rates;
        } finally {
            FileOps.deleteTree(root);
        }
    }

    private static double phase(String op, boolean events, int ops, java.util.function.IntConsumer body) {
        Latencies lat = new Latencies(ops);
        long t0 = System.nanoTime();
        for (int i = 0; i < ops; i++) {
            long t = System.nanoTime();
            body.accept(i);
            lat.add(System.nanoTime() - t);
        }
        double rate = ops / ((System.nanoTime() - t0) / 1e9);
        System.out.printf(Locale.ROOT, "%-8s %-14s %10.0f %10.0f %10.0f%n", op, events ? "published" : "none",
                lat.percentile(50) / 1e3, lat.percentile(99) / 1e3, rate);
        return rate;
    }
}
