package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * containerd's own snapshotter conformance suite ({@code snapshots/testsuite.SnapshotterSuite}, Go) against
 * {@code strata daemon}, through containerd's proxy snapshotter client dialled with containerd's own options
 * (no blocking dial, no minimum connect timeout, backoff max 3 s): the Go program in
 * {@code conformance/containerd-suite} starts a fresh daemon for every subtest, from the packaged jar with its
 * AOT cache, as the launcher does, while another process keeps one of the machine's cores busy. An
 * integration test (failsafe, after {@code package}) because it runs what the build ships. Needs Go and containerd's sources (Debian: {@code golang-go golang-github-containerd-containerd-dev});
 * skips without them on a developer's machine, fails without them under CI.
 */
class ContainerdSuiteIT {
    private static final Path GOCODE = Path.of("/usr/share/gocode");
    private static final Path TESTSUITE = GOCODE.resolve("src/github.com/containerd/containerd/snapshots/testsuite");
    private static final List<String> SUBTESTS = List.of("Basic", "StatActive", "StatComitted", "TransitivityTest",
            "PreareViewFailingtest", "Update", "Remove", "Walk", "LayerFileupdate", "RemoveDirectoryInLowerLayer",
            "Chown", "DirectoryPermissionOnCommit", "RemoveIntermediateSnapshot", "DeletedFilesInChildSnapshot",
            "MoveFileFromLowerLayer", "Rename", "ViewReadonly", "StatInWalk", "CloseTwice", "RootPermission",
            "128LayersMount");

    /**
     * Known failures, per backend: subtest name → why Strata disagrees with containerd's suite. A known
     * failure that starts passing fails this test too, so the list stays exact.
     */
    private static final Map<String, Map<String, String>> KNOWN_FAILURES = Map.of(
            "overlayfs", Map.of(),
            "native", Map.of(),
            "block", Map.of());

    private static final Pattern RESULT = Pattern.compile("^\\s*--- (PASS|FAIL|SKIP): TestStrataSnapshotter/(\\S+)");

    private static Path go;
    private static Path testBinary;

    @BeforeAll
    static void build() throws Exception {
        go = Path.of("/usr/bin/go");
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "go"))) {
                go = Path.of(d, "go");
                break;
            }
        }
        if (!Files.isExecutable(go) || !Files.isDirectory(TESTSUITE)) {
            // In CI .ci/run installs both: missing there is a failure, not a skip.
            assertThat(System.getenv("CI")).as("go and containerd's sources must be installed in CI").isNull();
            Assumptions.abort("go or containerd's Go sources missing "
                    + "(apt-get install golang-go golang-github-containerd-containerd-dev)");
        }
        Path target = Path.of("target").toAbsolutePath();
        Path work = Files.createDirectories(target.resolve("containerd-suite"));
        testBinary = work.resolve("containerd-suite.test");
        Path source = Path.of("..", "conformance", "containerd-suite").toAbsolutePath().normalize();
        // GOPATH mode, offline, against Debian's packaged sources; the build cache stays under target/.
        List<String> cmd = List.of(go.toString(), "test", "-c", "-o", testBinary.toString(), ".");
        int rc = run(cmd, source, Map.of("GO111MODULE", "off", "GOPATH", work.resolve("gopath") + ":" + GOCODE,
                "GOCACHE", work.resolve("gocache").toString(), "GOPROXY", "off", "GOFLAGS", "",
                "CGO_ENABLED", "0"), work.resolve("build.log"), 20);
        assertThat(rc).as("go test -c of %s (see %s)", source, work.resolve("build.log")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native", "block"})
    void containerdsSnapshotterSuitePasses(String backend) throws Exception {
        String argv = String.join("\n", PackagedStrata.command());
        Path work = Path.of("target", "containerd-suite").toAbsolutePath();
        Path logs = Files.createDirectories(work.resolve("daemon-logs-" + backend));
        Path log = work.resolve(backend + ".log");
        long start = System.nanoTime();
        int rc;
        try (BusyCore busy = BusyCore.start()) {
            rc = run(List.of(testBinary.toString(), "-test.v", "-test.count=1", "-test.timeout=40m",
                        "-test.parallel=2"), work,
                Map.of("STRATA_SNAPSHOTTER", "strata-" + backend, "STRATA_DAEMON_ARGV", argv,
                        "STRATA_DAEMON_LOGDIR", logs.toString()), log, 45);
        }
        System.out.printf("containerd suite on strata-%s: exit %d in %d s%n", backend, rc,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));

        Map<String, String> results = new TreeMap<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = RESULT.matcher(line);
            if (m.find()) {
                results.put(m.group(2), m.group(1));
            }
        }
        Set<String> failed = results.entrySet().stream().filter(e -> e.getValue().equals("FAIL"))
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
        Set<String> known = KNOWN_FAILURES.get(backend).keySet();
        Set<String> unexpected = new TreeSet<>(failed);
        unexpected.removeAll(known);
        Set<String> nowPassing = new TreeSet<>(known);
        nowPassing.removeAll(failed);
        Set<String> missing = new TreeSet<>(SUBTESTS);
        missing.removeAll(results.keySet());

        assertThat(missing).as("subtests without a result (crash or timeout? see %s)", log).isEmpty();
        assertThat(unexpected).as("containerd subtests failing on strata-%s (see %s)", backend, log).isEmpty();
        assertThat(nowPassing).as("known failures on strata-%s that now pass: drop them from KNOWN_FAILURES",
                backend).isEmpty();
        if (failed.isEmpty()) {
            assertThat(rc).as("exit code of the Go suite (see %s)", log).isZero();
        }
    }

    /** Runs a command, copying its output line by line to this test's output and to {@code log}. */
    private static int run(List<String> cmd, Path dir, Map<String, String> env, Path log, int timeoutMinutes)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        List<String> tail = new ArrayList<>();
        Thread pump = Thread.ofPlatform().name("go-output").start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    var out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    System.out.println(line);
                    out.println(line);
                    out.flush();
                }
            } catch (IOException e) {
                tail.add(e.toString());
            }
        });
        if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
            pump.join();
            throw new AssertionError(cmd.getFirst() + " timed out after " + timeoutMinutes + " min (see " + log + ")");
        }
        pump.join();
        assertThat(tail).isEmpty();
        return p.exitValue();
    }
}
