package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Snapshotter;
import io.strata.events.Event;
import io.strata.grpc.RemoteEvents;
import io.strata.grpc.RemoteSnapshotter;
import io.strata.testkit.PrivateContainerd;
import io.strata.testkit.Tree;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code strata events} on a root, and containerd's own {@code ctr events} on the daemon's socket. */
class EventsCommandTest {
    private static final long HANG_SECONDS = 30;
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("strata-events-cli");
    }

    @AfterEach
    void tearDown() throws Exception {
        Tree.deleteTree(dir);
    }

    @Test
    void eventsReplaysWhatTheCliDidFilteredAndAsJson() {
        String root = dir.resolve("state").toString();
        assertThat(Captured.run("snapshots", "prepare", "--root", root, "-s", "native", "a").code()).isZero();
        assertThat(Captured.run("snapshots", "commit", "--root", root, "-s", "native", "base", "a").code()).isZero();
        // Namespaces isolate keys: the default namespace's base is not team's.
        assertThat(Captured.run("snapshots", "prepare", "--root", root, "-s", "native", "-n", "team", "b", "base").code()).isEqualTo(3);
        assertThat(Captured.run("snapshots", "prepare", "--root", root, "-s", "native", "-n", "team", "b").code()).isZero();
        assertThat(Captured.run("snapshots", "rm", "--root", root, "-s", "native", "-n", "team", "b").code()).isZero();

        Captured.Result all = Captured.run("events", "--root", root, "--replay", "--count", "4");
        assertThat(all.code()).isZero();
        assertThat(all.out().lines().map(l -> l.substring(l.indexOf(' ') + 1)).toList()).containsExactly(
                "default /snapshot/prepare {\"key\":\"a\",\"snapshotter\":\"native\"}",
                "default /snapshot/commit {\"key\":\"a\",\"name\":\"base\",\"snapshotter\":\"native\"}",
                "team /snapshot/prepare {\"key\":\"b\",\"snapshotter\":\"native\"}",
                "team /snapshot/remove {\"key\":\"b\",\"snapshotter\":\"native\"}");

        Captured.Result team = Captured.run("events", "--root", root, "--replay", "--count", "1", "--json",
                "namespace==team,topic==\"/snapshot/remove\"");
        assertThat(team.out().strip()).startsWith("{\"sequence\":4,").endsWith(
                "\"namespace\":\"team\",\"topic\":\"/snapshot/remove\",\"type\":\"containerd.events.SnapshotRemove\","
                        + "\"event\":{\"key\":\"b\",\"snapshotter\":\"native\"}}");

        Captured.Result bad = Captured.run("events", "--root", root, "topic==");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("parse error");
    }

    @Test
    void ctrEventsOnTheDaemonsSocketSeesSnapshotCalls() throws Exception {
        if (!PrivateContainerd.available()) {
            assertThat(System.getenv("CI")).as("containerd (ctr) must be installed in CI").isNull();
            Assumptions.abort("containerd not installed (apt-get install containerd)");
        }
        Path socket = dir.resolve("strata.sock");
        DaemonCommand daemon = new DaemonCommand();
        CommandLine cl = new CommandLine(daemon);
        Thread daemonThread = Thread.ofPlatform().name("strata-daemon").start(() -> cl.execute("--address", socket.toString(),
                "--root", dir.resolve("state").toString(), "--snapshotters", "native", "--namespaces", "isolate"));
        Process ctr = null;
        try {
            assertThat(daemon.awaitStarted(Duration.ofSeconds(HANG_SECONDS))).as("daemon started").isTrue();
            ctr = new ProcessBuilder("ctr", "--address", socket.toString(), "events")
                    .redirectError(dir.resolve("ctr.err").toFile()).start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Process p = ctr;
            Thread.ofVirtual().start(() -> {
                try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l = in.readLine(); l != null; l = in.readLine()) {
                        lines.add(l);
                    }
                } catch (java.io.IOException ignored) {
                    // ctr was stopped
                }
            });
            try (RemoteEvents marker = RemoteEvents.connect(socket, "marker");
                 Snapshotter sn = RemoteSnapshotter.builder(socket, "native").namespace("k8s.io").connect()) {
                awaitMarker(marker, lines, dir.resolve("ctr.err"));
                sn.prepare("work", "");
                sn.commit("base", "work");
                // containerd 1.6's ctr knows these types without the snapshotter field (Strata adds it as containerd 2 does).
                assertThat(nextNonMarker(lines)).endsWith(" k8s.io /snapshot/prepare {\"key\":\"work\"}");
                assertThat(nextNonMarker(lines)).endsWith(" k8s.io /snapshot/commit {\"key\":\"work\",\"name\":\"base\"}");
            }
        } finally {
            if (ctr != null) {
                ctr.destroy();
                ctr.waitFor(HANG_SECONDS, TimeUnit.SECONDS);
            }
            daemon.stop();
            daemonThread.join(HANG_SECONDS * 1000);
        }
    }

    /** Publishes markers until ctr prints one: then its subscription is live. */
    private static void awaitMarker(RemoteEvents marker, BlockingQueue<String> lines, Path ctrErr) throws Exception {
        for (int tries = 0; tries < HANG_SECONDS * 10; tries++) {
            marker.publish("/test/marker", new Event.ImageDelete("marker"));
            String l = lines.poll(100, TimeUnit.MILLISECONDS);
            if (l != null) {
                assertThat(l).contains(" marker /test/marker {\"name\":\"marker\"}");
                return;
            }
        }
        throw new AssertionError("ctr events printed nothing within " + HANG_SECONDS + " s; its errors: " + Files.readString(ctrErr));
    }

    private static String nextNonMarker(BlockingQueue<String> lines) throws InterruptedException {
        while (true) {
            String l = lines.poll(HANG_SECONDS, TimeUnit.SECONDS);
            assertThat(l).as("a line from ctr events within %d s", HANG_SECONDS).isNotNull();
            if (!l.contains("/test/marker")) {
                return l;
            }
        }
    }
}
