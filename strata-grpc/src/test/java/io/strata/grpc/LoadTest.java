package io.strata.grpc;

import io.strata.service.NamespaceMode;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Info;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@value #DEFAULT_CLIENTS} clients, each on its own connection to a server on a unix socket,
 * prepare, commit, stat, walk, list and remove snapshots in random interleavings for
 * {@code -Dstrata.load.seconds} (default {@value #DEFAULT_SECONDS}) on one backend.
 *
 * <p>Checked: the server lists exactly the union of the clients' ledgers, each snapshot once;
 * no call failed except by the races clients cause each other ({@link LoadClient}); every client
 * finished (a client still in a call {@value #HANG_GRACE_SECONDS} s after the end is a hang); the
 * heap after GC at the end is within {@value #HEAP_BOUND_MIB} MiB of the start. Latency per
 * operation (p50, p99, max) and the heap at start, middle and end are printed, never asserted.
 * {@code bench/load-bench.sh} runs it longer.
 */
class LoadTest {
    static final int DEFAULT_CLIENTS = 100;
    static final long DEFAULT_SECONDS = 20;
    private static final int CLIENTS = Integer.getInteger("strata.load.clients", DEFAULT_CLIENTS);
    private static final long SECONDS = Long.getLong("strata.load.seconds", DEFAULT_SECONDS);
    private static final long SEED = Long.getLong("strata.load.seed", 1706L);
    private static final long HANG_GRACE_SECONDS = 300;
    private static final long HEAP_BOUND_MIB = 64;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"overlayfs", "native"})
    void ledgersMatchTheServerAndNothingHangsOrGrows(String backend) throws Exception {
        // The server closes first: should a client hang, shutting it down ends the call the client waits in.
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
             Harness h = Harness.withBackends(NamespaceMode.ISOLATE, List.of(backend))) {
            List<RemoteSnapshotter> remotes = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                RemoteSnapshotter remote = h.remote(backend);
                remote.list("name==connect"); // connects now, not inside the timed run
                remotes.add(remote);
            }
            ProcessGauge start = ProcessGauge.now();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            List<LoadClient> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(new LoadClient(i, CLIENTS, remotes.get(i), SEED + i, deadline, clients::get));
            }
            CountDownLatch done = new CountDownLatch(CLIENTS);
            for (LoadClient c : clients) {
                threads.execute(() -> {
                    try {
                        c.run();
                    } finally {
                        done.countDown();
                    }
                });
            }
            ProcessGauge middle = done.await(SECONDS * 500, TimeUnit.MILLISECONDS) ? null : ProcessGauge.now();
            boolean finished = done.await(SECONDS + HANG_GRACE_SECONDS, TimeUnit.SECONDS);
            assertThat(finished).as("every client finished; still in a call: %s",
                    clients.stream().map(LoadClient::doing).filter(d -> !d.endsWith("done")).toList()).isTrue();
            ProcessGauge end = ProcessGauge.now();

            Latencies latencies = new Latencies();
            Set<String> ledger = new TreeSet<>();
            List<String> errors = new ArrayList<>();
            int races = 0;
            LoadClient.Counts counts = LoadClient.Counts.NONE;
            for (LoadClient c : clients) {
                latencies.addAll(c.latencies());
                ledger.addAll(c.live());
                errors.addAll(c.errors());
                races += c.races();
                counts = counts.plus(c.counts());
            }
            List<String> listed = h.remote(backend).list().stream().map(Info::name).toList();

            System.out.printf("load test on %s: %d clients for %d s (seed %d)%n%s", backend, CLIENTS, SECONDS, SEED,
                    latencies.table());
            System.out.printf("snapshots prepared: %d, committed: %d, removed: %d active and %d committed;"
                    + " at the end: %d listed, %d in the ledgers; expected races: %d; unexpected errors: %d%n",
                    counts.prepared(), counts.committed(), counts.removedActive(), counts.removedCommitted(),
                    listed.size(), ledger.size(), races, errors.size());
            System.out.printf("heap after GC: start %d MiB, middle %s MiB, end %d MiB (bound: start + %d MiB);"
                    + " fds: start %d, end %d%n", start.heapMiB(), middle == null ? "-" : middle.heapMiB(),
                    end.heapMiB(), HEAP_BOUND_MIB, start.fds(), end.fds());

            assertThat(errors).as("unexpected errors").isEmpty();
            assertThat(new HashSet<>(listed)).as("no snapshot listed twice").hasSize(listed.size());
            assertThat(new TreeSet<>(listed)).as("the server's list against the clients' ledgers").isEqualTo(ledger);
            assertThat(List.of(counts.prepared(), counts.committed(), counts.removedActive(), counts.removedCommitted()))
                    .as("prepared, committed, removed while active, removed once committed").allMatch(n -> n > 0);
            assertThat(end.heapMiB()).as("heap after GC at the end, MiB").isLessThanOrEqualTo(start.heapMiB() + HEAP_BOUND_MIB);
        }
    }
}
