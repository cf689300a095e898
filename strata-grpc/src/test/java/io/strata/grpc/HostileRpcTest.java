package io.strata.grpc;

import io.strata.service.NamespaceMode;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Info;
import io.strata.api.Kind;
import io.strata.api.Snapshotter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile requests through a raw gRPC channel, every method of the Snapshots service, against a
 * server on a unix socket over the real backends: random bytes, mutated and truncated requests,
 * wire-format abuse, invalid UTF-8, huge and oversize messages, unknown snapshotters and methods.
 *
 * <p>Each answer must be one the request allows (see {@link Probe}); INTERNAL only for bytes that
 * do not parse, in grpc-go's words. Afterwards the server still serves, the snapshots made before
 * are exactly as they were, and the process holds no more than {@value #FD_SLACK} more file
 * descriptors and {@value #HEAP_SLACK_MIB} MiB more heap after a full GC. The seed is
 * {@code -Dstrata.hostile.seed} (a fixed default), so a failure can be replayed.
 */
@Timeout(value = 20, unit = java.util.concurrent.TimeUnit.MINUTES) // a hang detector only
class HostileRpcTest {
    private static final long SEED = Long.getLong("strata.hostile.seed", 0x5717a7aL);
    private static final int RANDOM_PER_METHOD = 300;
    private static final int MUTATED_PER_METHOD = 150;
    private static final int STRUCTURED_PER_METHOD = 200;
    private static final int FD_SLACK = 8;
    private static final long HEAP_SLACK_MIB = 64;
    /** Per call, as a hang detector: far beyond what any answer takes. */
    private static final long CALL_DEADLINE_SECONDS = 120;
    private static final String TENANT = "tenant";
    /** The backends whose snapshots the fuzzer may create by chance; block copies an image for each. */
    private static final List<String> FUZZED = List.of("overlayfs", "native");
    /** Where the probes that need only one backend go. */
    private static final String TARGET = "native";

    @Test
    void everyHostileRequestGetsAnAllowedStatusAndChangesNothing() throws Exception {
        try (Harness h = Harness.withBackends(NamespaceMode.ISOLATE); SevereLogs severe = SevereLogs.capture()) {
            List<String> backends = List.copyOf(h.backends.keySet());
            Map<String, String> before = new LinkedHashMap<>();
            for (String sn : backends) {
                KeptSnapshots.create(h.remote(sn));
                KeptSnapshots.create(h.remote(sn, TENANT));
            }
            snapshotState(h, backends, before);
            RawRpc rpc = new RawRpc(h.channel(null).channel(), CALL_DEADLINE_SECONDS);
            // Warm up: the first calls load classes and start threads that stay for the life of the process.
            for (String method : SnapshotRequests.METHODS) {
                for (String sn : backends) {
                    rpc.call(SnapshotRequests.full(method), SnapshotRequests.stable(method, sn).bytes());
                }
            }

            ProcessGauge start = ProcessGauge.now();
            StatusTally tally = new StatusTally();
            for (Supplier<List<Probe>> batch : batches(backends)) {
                for (Probe probe : batch.get()) {
                    tally.record(probe, rpc.call(probe.method(), probe.request()).status());
                }
            }
            ProcessGauge end = ProcessGauge.now();

            System.out.printf("hostile RPC barrage (seed %d)%n%s", SEED, tally.report());
            System.out.printf("process before: %s; after: %s (allowed: +%d fds, +%d MiB)%n", start, end, FD_SLACK, HEAP_SLACK_MIB);
            System.out.printf("SEVERE log records during the barrage: %d%n", severe.count());

            assertThat(tally.violations()).as("answers not allowed").isEmpty();
            assertThat(tally.tried()).isGreaterThan(5000);
            assertThat(severe.records()).as("SEVERE log records").isEmpty();
            Map<String, String> after = new LinkedHashMap<>();
            snapshotState(h, backends, after);
            assertThat(after).as("the snapshots made before").isEqualTo(before);
            assertStillServes(h, backends);
            assertThat(end.fds()).as("open file descriptors").isLessThanOrEqualTo(start.fds() + FD_SLACK);
            assertThat(end.heapMiB()).as("heap after GC, MiB").isLessThanOrEqualTo(start.heapMiB() + HEAP_SLACK_MIB);
        }
    }

    /**
     * The probes in batches, each made when it is sent so that the large ones are not all held at
     * once. The small ones are shuffled together; the big ones follow.
     */
    private static List<Supplier<List<Probe>>> batches(List<String> backends) {
        List<Supplier<List<Probe>>> batches = new ArrayList<>();
        batches.add(() -> {
            FuzzedRequests fuzz = new FuzzedRequests(SEED, FUZZED);
            List<Probe> small = new ArrayList<>(fuzz.randomBytes(RANDOM_PER_METHOD));
            small.addAll(fuzz.mutated(MUTATED_PER_METHOD));
            small.addAll(fuzz.truncated());
            small.addAll(fuzz.structured(STRUCTURED_PER_METHOD));
            for (String method : SnapshotRequests.METHODS) {
                small.add(MalformedRequests.empty(method));
                for (String sn : backends) {
                    small.addAll(MalformedRequests.allowed(method, sn));
                }
                small.addAll(MalformedRequests.forbidden(method, TARGET));
            }
            small.addAll(AbusiveRequests.badFilters(TARGET));
            small.addAll(AbusiveRequests.badUpdates(TARGET));
            small.addAll(AbusiveRequests.unknownMethods(TARGET));
            Collections.shuffle(small, new Random(SEED));
            return small;
        });
        for (String method : SnapshotRequests.METHODS) {
            batches.add(() -> AbusiveRequests.unknownSnapshotters(method, TARGET));
            batches.add(() -> AbusiveRequests.huge(method, TARGET));
        }
        batches.add(() -> AbusiveRequests.values(TARGET));
        batches.add(() -> AbusiveRequests.atTheLimit(TARGET));
        return batches;
    }

    /** The kept snapshots of every backend, with and without a namespace, keyed by where they are. */
    private static void snapshotState(Harness h, List<String> backends, Map<String, String> into) {
        for (String sn : backends) {
            KeptSnapshots.state(h.remote(sn)).forEach((k, v) -> into.put(sn + " " + k, v));
            KeptSnapshots.state(h.remote(sn, TENANT)).forEach((k, v) -> into.put(sn + " " + TENANT + "/" + k, v));
        }
    }

    /** A full life cycle still works in every backend, and the snapshot with 100 000 labels reads back whole. */
    private static void assertStillServes(Harness h, List<String> backends) {
        for (String sn : backends) {
            Snapshotter remote = h.remote(sn);
            remote.prepare("after-a", KeptSnapshots.BASE);
            remote.commit("after", "after-a");
            remote.prepare("after-b", "after");
            assertThat(remote.stat("after").kind()).isEqualTo(Kind.COMMITTED);
            assertThat(remote.list("parent==after")).extracting(Info::name).containsExactly("after-b");
            remote.remove("after-b");
            remote.remove("after");
            assertThat(remote.list("name~=\"^after\"")).isEmpty();
        }
        assertThat(h.remote(TARGET).stat(AbusiveRequests.MANY_LABELS).labels()).hasSize(AbusiveRequests.MANY);
    }

    /** Collects the SEVERE records logged through java.util.logging (where gRPC logs) while open. */
    private static final class SevereLogs extends Handler implements AutoCloseable {
        private final List<String> records = Collections.synchronizedList(new ArrayList<>());

        static SevereLogs capture() {
            SevereLogs h = new SevereLogs();
            h.setLevel(Level.SEVERE);
            Logger.getLogger("").addHandler(h);
            return h;
        }

        @Override
        public void publish(LogRecord r) {
            if (isLoggable(r)) {
                records.add(r.getLoggerName() + ": " + r.getMessage() + (r.getThrown() == null ? "" : " " + r.getThrown()));
            }
        }

        List<String> records() {
            return List.copyOf(records);
        }

        int count() {
            return records.size();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            Logger.getLogger("").removeHandler(this);
        }
    }
}
