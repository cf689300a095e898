package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Kind;
import io.strata.api.Snapshotter;
import io.strata.grpc.RemoteSnapshotter;
import io.strata.testkit.Tree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How {@code strata daemon} starts and stops, as separate processes: systemd's socket activation
 * and readiness notification, refusing a socket or a state root another daemon holds, and the
 * start-up check that runs only after an unclean stop.
 */
@Timeout(300)
class DaemonStartTest {
    private Path dir;
    private final List<DaemonProcess> started = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("strata-start");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (DaemonProcess d : started) {
            d.close();
        }
        Tree.deleteTree(dir);
    }

    private DaemonProcess track(DaemonProcess d) {
        started.add(d);
        return d;
    }

    @Test
    void socketActivationServesTheInheritedSocketAndCallersWaitInItsBacklog() throws Exception {
        Path activate = Path.of("/usr/bin/systemd-socket-activate");
        if (!Files.isExecutable(activate)) {
            assertThat(System.getenv("CI")).as("systemd-socket-activate (package systemd) must be there in CI").isNull();
            Assumptions.abort("systemd-socket-activate missing");
        }
        Path socket = dir.resolve("activated.sock");
        List<String> cmd = new ArrayList<>(List.of(activate.toString(), "-l", socket.toString()));
        // A different --address on purpose: the inherited socket wins, as with systemd.
        cmd.addAll(DaemonProcess.strata("daemon", "--address", dir.resolve("unused.sock").toString(),
                "--root", dir.resolve("state").toString(), "--log-level", "info"));
        DaemonProcess d = track(DaemonProcess.start(dir.resolve("activated.log"), Map.of(), cmd));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(socket)) {
            assertThat(System.nanoTime()).as("systemd-socket-activate listens").isLessThan(deadline);
            Thread.sleep(5);
        }
        // The first connection makes systemd-socket-activate exec the daemon; the call waits for it.
        try (Snapshotter sn = RemoteSnapshotter.connect(socket, "strata")) {
            sn.prepare("base-a", "");
            sn.commit("base", "base-a");
            assertThat(sn.stat("base").kind()).isEqualTo(Kind.COMMITTED);
        }
        assertThat(d.log()).contains("socket-activated");
        assertThat(dir.resolve("unused.sock")).doesNotExist();
        assertThat(d.stop()).isZero();
    }

    @Test
    void notifiesReadyOnceAnsweringAndStoppingOnDrain() throws Throwable {
        Path socket = dir.resolve("strata.sock");
        try (NotifySocket notify = new NotifySocket(dir.resolve("notify.sock"))) {
            DaemonProcess d = track(DaemonProcess.start(dir.resolve("notify.log"),
                    Map.of("NOTIFY_SOCKET", notify.path.toString()),
                    DaemonProcess.strata("daemon", "--address", socket.toString(), "--root", dir.resolve("state").toString())));
            Optional<String> ready = notify.receive(Duration.ofSeconds(60));
            assertThat(ready).as("READY=1 (log: %s)", d.log()).hasValueSatisfying(m -> assertThat(m.lines())
                    .contains("READY=1", "MAINPID=" + d.process.pid()));
            // Ready means ready: a call right now is answered.
            try (Snapshotter sn = RemoteSnapshotter.connect(socket, "strata-native")) {
                sn.prepare("k", "");
            }
            d.process.destroy();
            assertThat(notify.receive(Duration.ofSeconds(30))).hasValueSatisfying(m -> assertThat(m).contains("STOPPING=1"));
            assertThat(d.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(d.process.exitValue()).isZero();
        }
    }

    @Test
    void aSecondDaemonOnTheSameRootOrSocketIsRefusedAndTheFirstKeepsServing() throws Exception {
        Path socket = dir.resolve("strata.sock");
        Path root = dir.resolve("state");
        DaemonProcess first = track(DaemonProcess.daemon(dir.resolve("first.log"), socket, root)).awaitSocket(socket);

        DaemonProcess sameRoot = track(DaemonProcess.daemon(dir.resolve("same-root.log"), dir.resolve("other.sock"), root));
        assertThat(sameRoot.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(sameRoot.process.exitValue()).as(sameRoot.log()).isEqualTo(6);
        assertThat(sameRoot.log()).contains("state root " + root + " is in use by another strata daemon (pid "
                + first.process.pid() + ")");
        assertThat(dir.resolve("other.sock")).doesNotExist();

        DaemonProcess sameSocket = track(DaemonProcess.daemon(dir.resolve("same-socket.log"), socket, dir.resolve("state2")));
        assertThat(sameSocket.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(sameSocket.process.exitValue()).as(sameSocket.log()).isEqualTo(6);
        assertThat(sameSocket.log()).contains("socket " + socket + " is served by another daemon");

        try (Snapshotter sn = RemoteSnapshotter.connect(socket, "strata")) {
            sn.prepare("still-here", "");
            assertThat(sn.stat("still-here").kind()).isEqualTo(Kind.ACTIVE);
        }
        assertThat(first.stop()).isZero();
    }

    @Test
    void aStaleSocketFromAKilledDaemonIsReplacedAndTheCheckRunsOnlyAfterAnUncleanStop() throws Exception {
        Path socket = dir.resolve("strata.sock");
        Path root = dir.resolve("state");
        DaemonProcess first = track(DaemonProcess.daemon(dir.resolve("1.log"), socket, root)).awaitSocket(socket);
        try (Snapshotter sn = RemoteSnapshotter.connect(socket, "strata-overlayfs")) {
            sn.prepare("a", "");
        }
        first.kill();
        assertThat(socket).as("a killed daemon leaves its socket").exists();
        // Something fsck reports: a snapshot directory without a record.
        Path orphan = Files.createDirectories(root.resolve("overlayfs/snapshots/4242"));

        DaemonProcess second = track(DaemonProcess.daemon(dir.resolve("2.log"), socket, root)).awaitSocketReplacing(socket);
        try (Snapshotter sn = RemoteSnapshotter.connect(socket, "strata-overlayfs")) {
            // The call waits for the backend, which opens after its check.
            assertThat(sn.stat("a").kind()).isEqualTo(Kind.ACTIVE);
        }
        assertThat(second.stop()).isZero();
        assertThat(second.log()).contains("fsck overlayfs: orphan").contains(orphan.toString())
                .contains("after an unclean stop");

        DaemonProcess third = track(DaemonProcess.daemon(dir.resolve("3.log"), socket, root)).awaitSocket(socket);
        try (Snapshotter sn = RemoteSnapshotter.connect(socket, "strata-overlayfs")) {
            assertThat(sn.stat("a").kind()).isEqualTo(Kind.ACTIVE);
        }
        assertThat(third.stop()).isZero();
        assertThat(third.log()).as("a clean stop before: no check").doesNotContain("fsck");
    }

    @Test
    void everyBackendAnswersTheMomentTheSocketAppears() throws Exception {
        Path socket = dir.resolve("strata.sock");
        DaemonProcess d = track(DaemonProcess.daemon(dir.resolve("d.log"), socket, dir.resolve("state")));
        // Every backend at once, as containerd does at boot: each call waits for its backend to open.
        List<CompletableFuture<Kind>> calls = new ArrayList<>();
        d.awaitSocket(socket);
        for (String b : List.of("overlayfs", "native", "block")) {
            calls.add(CompletableFuture.supplyAsync(() -> {
                try (Snapshotter sn = RemoteSnapshotter.connect(socket, "strata-" + b)) {
                    sn.prepare("first-" + b, "");
                    return sn.stat("first-" + b).kind();
                }
            }));
        }
        for (CompletableFuture<Kind> c : calls) {
            assertThat(c.get(120, TimeUnit.SECONDS)).isEqualTo(Kind.ACTIVE);
        }
        assertThat(d.stop()).isZero();
    }
}
