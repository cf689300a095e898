package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.testkit.PrivateContainerd;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * containerd's own snapshotter conformance suites, 1.6's ({@code snapshots/testsuite}) and 2.1's
 * ({@code core/snapshots/testsuite}), against {@code strata daemon} on every backend, through each
 * containerd's proxy snapshotter client dialled with its own options (no blocking dial, no minimum
 * connect timeout, backoff max 3 s): the Go program in {@code conformance/containerd-suite} starts a
 * fresh daemon for every subtest, from the packaged jar with its AOT cache, as the launcher does, while
 * another process keeps one of the machine's cores busy. An integration test (failsafe, after
 * {@code package}) because it runs what the build ships. Built offline in GOPATH mode: 1.6's with
 * Debian 12's Go and sources ({@code golang-go golang-github-containerd-containerd-dev}), 2.1's with
 * the Go 1.24 and sid sources {@code .ci/containerd2} fetches. Skips without them on a developer's
 * machine, fails without them under CI.
 */
class ContainerdSuiteIT {
    private static final List<String> SUBTESTS = List.of("Basic", "StatActive", "StatComitted", "TransitivityTest",
            "PreareViewFailingtest", "Update", "Remove", "Walk", "LayerFileupdate", "RemoveDirectoryInLowerLayer",
            "Chown", "DirectoryPermissionOnCommit", "RemoveIntermediateSnapshot", "DeletedFilesInChildSnapshot",
            "MoveFileFromLowerLayer", "Rename", "ViewReadonly", "StatInWalk", "CloseTwice", "RootPermission",
            "128LayersMount");

    /** One containerd's suite: where its Go and sources are, and the build tags that select it. */
    record Suite(String name, Path go, Path gocode, String testsuite, List<String> tags) {
        static Suite containerd16() {
            Path go = Path.of("/usr/bin/go");
            for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (!d.isEmpty() && Files.isExecutable(Path.of(d, "go"))) {
                    go = Path.of(d, "go");
                    break;
                }
            }
            return new Suite("containerd-1.6", go, Path.of("/usr/share/gocode"),
                    "github.com/containerd/containerd/snapshots/testsuite", List.of());
        }

        static Suite containerd21() {
            Path home = PrivateContainerd.Install.containerd2().bin().getParent().getParent();
            return new Suite("containerd-2.1", home.resolve("usr/lib/go-1.24/bin/go"), home.resolve("usr/share/gocode"),
                    "github.com/containerd/containerd/v2/core/snapshots/testsuite", List.of("containerd2"));
        }

        boolean available() {
            return Files.isExecutable(go) && Files.isDirectory(gocode.resolve("src").resolve(testsuite));
        }

        Path work() {
            return Path.of("target", "containerd-suite", name).toAbsolutePath();
        }

        Path binary() {
            return work().resolve("containerd-suite.test");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * Known failures, per suite and backend: subtest name → why Strata disagrees with containerd's
     * suite. A known failure that starts passing fails this test too, so the list stays exact.
     */
    private static final Map<String, Map<String, String>> KNOWN_FAILURES = Map.of();

    private static final Pattern RESULT = Pattern.compile("^\\s*--- (PASS|FAIL|SKIP): TestStrataSnapshotter/(\\S+)");

    private static final Set<String> BUILT = new java.util.HashSet<>();

    static Stream<Arguments> suitesAndBackends() {
        return Stream.of(Suite.containerd16(), Suite.containerd21())
                .flatMap(s -> Stream.of("overlayfs", "native", "block").map(b -> Arguments.of(s, b)));
    }

    /** Builds the suite's test binary once per run: GOPATH mode, offline, the build cache under target/. */
    private static synchronized void build(Suite suite) throws Exception {
        if (BUILT.contains(suite.name())) {
            return;
        }
        if (!suite.available()) {
            // In CI .ci/run installs both: missing there is a failure, not a skip.
            assertThat(System.getenv("CI")).as("%s's Go and sources must be installed in CI (.ci/run)", suite).isNull();
            Assumptions.abort(suite + ": Go or containerd's Go sources missing "
                    + "(apt-get install golang-go golang-github-containerd-containerd-dev; .ci/containerd2)");
        }
        Path work = Files.createDirectories(suite.work());
        Path source = Path.of("..", "conformance", "containerd-suite").toAbsolutePath().normalize();
        List<String> cmd = new ArrayList<>(List.of(suite.go().toString(), "test", "-c", "-o", suite.binary().toString()));
        if (!suite.tags().isEmpty()) {
            cmd.add("-tags=" + String.join(",", suite.tags()));
        }
        cmd.add(".");
        int rc = run(cmd, source, Map.of("GO111MODULE", "off", "GOPATH", work.resolve("gopath") + ":" + suite.gocode(),
                "GOCACHE", work.resolve("gocache").toString(), "GOPROXY", "off", "GOFLAGS", "", "GOTOOLCHAIN", "local",
                "CGO_ENABLED", "0"), work.resolve("build.log"), 20);
        assertThat(rc).as("go test -c of %s for %s (see %s)", source, suite, work.resolve("build.log")).isZero();
        BUILT.add(suite.name());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("suitesAndBackends")
    void containerdsSnapshotterSuitePasses(Suite suite, String backend) throws Exception {
        build(suite);
        String argv = String.join("\n", PackagedStrata.command());
        Path work = suite.work();
        Path logs = Files.createDirectories(work.resolve("daemon-logs-" + backend));
        Path log = work.resolve(backend + ".log");
        long start = System.nanoTime();
        int rc;
        try (BusyCore busy = BusyCore.start()) {
            rc = run(List.of(suite.binary().toString(), "-test.v", "-test.count=1", "-test.timeout=40m",
                        "-test.parallel=2"), work,
                Map.of("STRATA_SNAPSHOTTER", "strata-" + backend, "STRATA_DAEMON_ARGV", argv,
                        "STRATA_DAEMON_LOGDIR", logs.toString()), log, 45);
        }
        System.out.printf("%s suite on strata-%s: exit %d in %d s%n", suite, backend, rc,
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
        Set<String> known = KNOWN_FAILURES.getOrDefault(suite + "/" + backend, Map.of()).keySet();
        Set<String> unexpected = new TreeSet<>(failed);
        unexpected.removeAll(known);
        Set<String> nowPassing = new TreeSet<>(known);
        nowPassing.removeAll(failed);
        Set<String> missing = new TreeSet<>(SUBTESTS);
        missing.removeAll(results.keySet());

        assertThat(missing).as("subtests without a result (crash or timeout? see %s)", log).isEmpty();
        assertThat(unexpected).as("%s subtests failing on strata-%s (see %s)", suite, backend, log).isEmpty();
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
