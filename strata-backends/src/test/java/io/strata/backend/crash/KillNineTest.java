package io.strata.backend.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Info;
import io.strata.api.Kind;
import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import io.strata.fs.Mounter;
import io.strata.metastore.SqliteMetaStore;
import io.strata.testkit.Tree;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kills a process that is preparing, writing, committing and removing snapshots with SIGKILL at
 * random moments, reopens the store and checks the promises of the crash order (ADR 0002): every
 * commit that returned is there with its data, no record points at a missing directory, the
 * metastore passes its integrity check, and after cleanup no directory is left without a record.
 * Set {@code -Dstrata.crash.iterations=N} for more rounds than the CI's default.
 */
class KillNineTest {
    private static final int ITERATIONS = Integer.getInteger("strata.crash.iterations", 6);

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native", "block"})
    void crashesLeaveOnlyOrphansThatCleanupRemoves(String backend) throws Exception {
        Path root = Files.createTempDirectory("strata-crash");
        Random rnd = new Random(42);
        Map<String, Integer> committed = new HashMap<>();
        try {
            for (int round = 0; round < ITERATIONS; round++) {
                Process p = new ProcessBuilder(javaBin(), "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
                        "-cp", System.getProperty("java.class.path"), CrashWorkload.class.getName(),
                        backend, root.toString(), Integer.toString(round))
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                List<String> lines = new ArrayList<>();
                CountDownLatch committing = new CountDownLatch(3);
                Thread reader = Thread.ofVirtual().start(() -> {
                    try (var in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                        for (String l = in.readLine(); l != null; l = in.readLine()) {
                            synchronized (lines) {
                                lines.add(l);
                            }
                            committing.countDown();
                        }
                    } catch (java.io.IOException ignored) {
                        // the process died
                    }
                });
                assertThat(committing.await(60, TimeUnit.SECONDS)).as("workload reports its commits").isTrue();
                assertThat(p.isAlive()).as("workload runs").isTrue();
                // The fault injected: SIGKILL at a random moment of the next few operations.
                Thread.sleep(rnd.nextInt(150));
                p.destroyForcibly();
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                reader.join();
                synchronized (lines) {
                    for (String l : lines) {
                        String[] f = l.split(" ");
                        if (f[0].equals("committed")) {
                            committed.put(f[1], Integer.parseInt(f[2]));
                        }
                    }
                }
                // The child may have died holding a mount.
                try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                    for (Path d : s.filter(x -> x.getFileName().toString().startsWith("crash-mnt")).toList()) {
                        Mounter.unmountAll(d);
                        Tree.deleteTree(d);
                    }
                }
                check(backend, root, committed);
            }
        } finally {
            Tree.deleteTree(root);
        }
    }

    private static void check(String backend, Path root, Map<String, Integer> committed) throws Exception {
        Path backendRoot = root.resolve(backend);
        try (SqliteMetaStore store = SqliteMetaStore.open(backendRoot.resolve("metadata.db"))) {
            store.checkIntegrity();
        }
        int records;
        try (Snapshotter sn = Backends.open(backend, root)) {
            Set<String> names = new HashSet<>();
            for (Info i : sn.list()) {
                names.add(i.name());
            }
            for (var e : committed.entrySet()) {
                assertThat(names).as("commit that returned survives").contains(e.getKey());
                assertThat(sn.stat(e.getKey()).kind()).isEqualTo(Kind.COMMITTED);
            }
            // Data of the last committed layer of each round is readable through a view.
            for (var e : committed.entrySet()) {
                String view = "check-" + e.getKey();
                Path mnt = Files.createTempDirectory("crash-check");
                try {
                    Mounter.mountAll(sn.view(view, e.getKey()), mnt);
                    String idx = e.getKey().substring(e.getKey().lastIndexOf('-') + 1);
                    assertThat(Files.size(mnt.resolve("file-" + idx))).isEqualTo(e.getValue().longValue());
                } finally {
                    Mounter.unmountAll(mnt);
                    Files.delete(mnt);
                    sn.remove(view);
                }
            }
            // Half-done prepares are abandoned by their owner: remove the actives, as a client would.
            for (Info i : sn.list("kind==active")) {
                sn.remove(i.name());
            }
            sn.cleanup();
            records = sn.list().size();
        }
        // Closed: its own ready-made spare directories are gone too.
        Set<String> dirs = new HashSet<>();
        try (var s = Files.list(backendRoot.resolve("snapshots"))) {
            s.forEach(d -> dirs.add(d.getFileName().toString()));
        }
        assertThat(dirs).as("one directory per record, nothing else").hasSize(records);
        assertThat(dirs).allMatch(d -> d.chars().allMatch(Character::isDigit));
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
