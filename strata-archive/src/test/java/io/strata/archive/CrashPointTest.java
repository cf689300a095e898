package io.strata.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Info;
import io.strata.api.Kind;
import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import io.strata.backend.Fsck;
import io.strata.fs.CrashPoint;
import io.strata.fs.LoopMounts;
import io.strata.fs.Mounter;
import io.strata.metastore.SqliteMetaStore;
import io.strata.testkit.Tree;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kills an unpacker (prepare, layer apply, commit, remove, cleanup) at every named
 * {@link CrashPoint} and at random moments with SIGKILL, reopens the store and checks the promises:
 * every commit that returned is there with its content; no snapshot is committed whose apply did
 * not finish; the metastore passes its integrity check; {@link Fsck} finds nothing but what a crash
 * may leave (orphans; on the block backend also the sealed image of an active snapshot and the
 * temporary mount of an image a layer was being applied to), repairs it, and is then clean, with
 * one directory per record and no image of the store left mounted. Points that only a backend
 * reaches run on that backend: the parent copy on native and block, the scratch template and the
 * growing of an image on block. {@code -Dstrata.crash.rounds=N} runs N rounds per point (default
 * 1) and N + 2 random kills.
 */
class CrashPointTest {
    private static final int ROUNDS = Integer.getInteger("strata.crash.rounds", 1);
    private static final List<String> POINTS = List.of("prepare.after-publish", "apply.mid-file", "commit.after-seal",
            "commit.after-record", "remove.after-record", "cleanup.mid");
    private static final String COPY = "prepare.mid-copy";
    /** Reached only while the scratch template is built, once per state root unless the test deletes it. */
    private static final String TEMPLATE = "prepare.template-mounted";
    private static final List<String> BLOCK_POINTS = List.of(COPY, TEMPLATE, "prepare.after-grow-file");
    private static final String RANDOM = "random-sigkill";
    private static final Map<String, Integer> KILLS = new TreeMap<>();

    @AfterAll
    static void report() {
        System.out.println("crash kills survived (backend/point: count): " + KILLS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native", "block"})
    void killedAtNamedPointsAndAtRandomTheStoreStaysConsistent(String backend) throws Exception {
        Path root = Files.createTempDirectory("strata-crashpoint");
        Random rnd = new Random(7);
        Map<String, String> committed = new HashMap<>();
        int seed = 0;
        int kills = 0;
        try {
            long t0 = System.nanoTime();
            for (int round = 0; round < ROUNDS; round++) {
                for (String point : points(backend)) {
                    // Skip a few hits so the kill lands on a store that already holds committed layers.
                    int skip = rnd.nextInt(4);
                    if (point.equals(TEMPLATE)) {
                        deleteTemplates(root);
                        skip = 0;
                    }
                    Run run = run(backend, root, seed++, List.of("-Dstrata.crash.at=" + point,
                            "-Dstrata.crash.after=" + skip), -1);
                    assertThat(run.status).as("child halted at " + point).isEqualTo(CrashPoint.STATUS);
                    check(backend, point, root, run, committed);
                    KILLS.merge(backend + "/" + point, 1, Integer::sum);
                    kills++;
                }
            }
            for (int k = 0; k < ROUNDS + 2; k++) {
                Run run = run(backend, root, seed++, List.of(), 200 + rnd.nextInt(1500));
                check(backend, RANDOM, root, run, committed);
                KILLS.merge(backend + "/" + RANDOM, 1, Integer::sum);
                kills++;
            }
            System.out.printf("crash %s: %d kills in %d s, %d commits survived%n", backend,
                    kills, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0), committed.size());
        } finally {
            // A failed check may leave an image mounted; it must not outlive the test.
            for (Path m : LoopMounts.backedUnder(root)) {
                Mounter.unmountAll(m, Mounter.UnmountFlag.DETACH);
                Files.deleteIfExists(m);
            }
            Tree.deleteTree(root);
        }
    }

    private static List<String> points(String backend) {
        return switch (backend) {
            case "block" -> concat(POINTS, BLOCK_POINTS);
            case "native" -> concat(POINTS, List.of(COPY));
            default -> POINTS;
        };
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** Deletes the block backend's finished scratch templates, so that the next prepare without parent builds one. */
    private static void deleteTemplates(Path root) throws Exception {
        Path dir = root.resolve("block").resolve("templates");
        if (Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                for (Path t : s.toList()) {
                    Files.delete(t);
                }
            }
        }
    }

    /**
     * What a crash at {@code point} may leave besides orphans: on block, a crash between sealing
     * an image (mode 0444) and recording the commit leaves an active snapshot with a read-only
     * image; one in the middle of applying a layer leaves the image mounted on the applier's
     * temporary directory. Each of these is then also required, so that the repair is proven.
     */
    private static Set<Fsck.Problem> leftBy(String backend, String point) {
        if (!backend.equals("block")) {
            return EnumSet.noneOf(Fsck.Problem.class);
        }
        return switch (point) {
            case "commit.after-seal" -> EnumSet.of(Fsck.Problem.WRONG_STATE);
            case "apply.mid-file" -> EnumSet.of(Fsck.Problem.STALE_MOUNT);
            default -> EnumSet.noneOf(Fsck.Problem.class);
        };
    }

    private record Run(int status, List<String> lines) {
    }

    /** Runs the workload; kills it with SIGKILL after {@code killAfterMs} unless that is negative. */
    private static Run run(String backend, Path root, int seed, List<String> props, int killAfterMs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        cmd.addAll(props);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashWorkload.class.getName(),
                backend, root.toString(), Integer.toString(seed)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            return await(p, killAfterMs, props);
        } finally {
            // Never leave a workload running: one that misses its point fills the disk with layers.
            p.destroyForcibly();
        }
    }

    private static Run await(Process p, int killAfterMs, List<String> props) throws Exception {
        List<String> lines = new ArrayList<>();
        java.util.concurrent.CountDownLatch firstCommit = new java.util.concurrent.CountDownLatch(1);
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                for (String l = in.readLine(); l != null; l = in.readLine()) {
                    synchronized (lines) {
                        lines.add(l);
                    }
                    if (l.startsWith("committed")) {
                        firstCommit.countDown();
                    }
                }
            } catch (java.io.IOException died) {
                // the process is gone
            }
        });
        if (killAfterMs >= 0) {
            // Wait for the first commit, then kill at a random moment of what follows: that delay
            // is the fault being injected, not a wait for a condition.
            assertThat(firstCommit.await(60, TimeUnit.SECONDS)).as("the workload commits before it is killed").isTrue();
            assertThat(p.isAlive()).as("workload runs until killed").isTrue();
            Thread.sleep(killAfterMs);
            p.destroyForcibly();
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("child did not reach its crash point within 60 s: " + props);
        }
        reader.join();
        return new Run(p.exitValue(), List.copyOf(lines));
    }

    private static void check(String backend, String point, Path root, Run run, Map<String, String> committed)
            throws Exception {
        Set<String> applied = new HashSet<>();
        for (String l : run.lines) {
            String[] f = l.split(" ");
            switch (f[0]) {
                case "committed" -> committed.put(f[1], f[2]);
                case "applied" -> applied.add(f[1]);
                default -> { }
            }
        }
        try (SqliteMetaStore store = SqliteMetaStore.open(root.resolve(backend).resolve("metadata.db"))) {
            store.checkIntegrity();
        }
        List<Fsck.Finding> found = Fsck.run(backend, root, Fsck.Options.CHECK).findings();
        Set<Fsck.Problem> left = leftBy(backend, point);
        Set<Fsck.Problem> allowed = EnumSet.of(Fsck.Problem.ORPHAN);
        allowed.addAll(point.equals(RANDOM) ? EnumSet.of(Fsck.Problem.WRONG_STATE, Fsck.Problem.STALE_MOUNT) : left);
        assertThat(found).as("a crash at %s leaves only %s", point, allowed).allMatch(f -> allowed.contains(f.problem()));
        assertThat(found).as("a crash at %s leaves %s", point, left).extracting(Fsck.Finding::problem).containsAll(left);
        assertThat(found).filteredOn(f -> f.problem() == Fsck.Problem.WRONG_STATE)
                .as("only an active image is left sealed").allMatch(f -> f.detail().startsWith("active image"));

        try (Snapshotter sn = Backends.open(backend, root)) {
            for (Info i : sn.list("kind==committed")) {
                // A committed snapshot is one whose commit returned, or the one being committed
                // when the process died, and then only after its apply had returned.
                assertThat(committed.containsKey(i.name()) || applied.contains(i.name()))
                        .as("%s committed without a finished apply", i.name()).isTrue();
            }
            for (var e : committed.entrySet()) {
                assertThat(sn.stat(e.getKey()).kind()).as("commit that returned survives").isEqualTo(Kind.COMMITTED);
            }
            for (Info i : sn.list("kind==committed")) {
                String idx = i.name().substring(i.name().lastIndexOf('-') + 1);
                Path mnt = Files.createTempDirectory("crash-check");
                try {
                    Mounter.mountAll(sn.view("check", i.name()), mnt);
                    byte[] data = Files.readAllBytes(mnt.resolve("layer-" + idx));
                    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
                    if (committed.containsKey(i.name())) {
                        assertThat(hash).as("content of %s", i.name()).isEqualTo(committed.get(i.name()));
                    }
                    committed.putIfAbsent(i.name(), hash); // committed just before the crash: durable from now on
                } finally {
                    Mounter.unmountAll(mnt);
                    Files.delete(mnt);
                    sn.remove("check");
                }
            }
        }
        assertThat(Fsck.run(backend, root, new Fsck.Options(true, false)).remaining()).isEmpty();
        assertThat(Fsck.run(backend, root, new Fsck.Options(false, true)).findings()).as("clean after repair").isEmpty();
        int records;
        try (Snapshotter sn = Backends.open(backend, root)) {
            records = sn.list().size();
        }
        try (var s = Files.list(root.resolve(backend).resolve("snapshots"))) {
            assertThat(s.toList()).as("one directory per record").hasSize(records);
        }
        assertThat(LoopMounts.backedUnder(root)).as("no image of the store left mounted").isEmpty();
        Path templates = root.resolve(backend).resolve("templates");
        if (Files.isDirectory(templates)) {
            try (var s = Files.list(templates)) {
                assertThat(s.map(p -> p.getFileName().toString()).toList()).as("no half-built template")
                        .noneMatch(n -> n.startsWith(".new-") || n.startsWith(Mounter.TEMP_PREFIX));
            }
        }
    }
}
