package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Snapshotter;
import io.strata.api.UnavailableException;
import io.strata.grpc.RemoteSnapshotter;
import io.strata.testkit.OciArchive;
import io.strata.testkit.PrivateContainerd;
import io.strata.testkit.Tree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Restarting Strata under a running containerd fails no containerd call. The daemon runs as
 * {@code strata.socket} and {@code strata.service} run it: a socket-activated service restarted
 * by its manager. Without systemd as PID 1 here, {@code systemd-socket-activate} makes the
 * listening socket and a small supervisor restarts the daemon on it after each exit, passing the
 * socket as systemd does (fd 3, {@code LISTEN_FDS}, {@code LISTEN_PID}). Each round sends the
 * daemon SIGTERM and runs a container at once, without waiting for anything.
 */
@Timeout(600)
class DaemonRestartIT {
    private static final String SUPERVISOR = """
            #!/bin/sh
            # fd 3 is the listening socket; restart the daemon whenever it exits (Restart=always).
            n=0
            while [ ! -e "$STOP" ]; do
              n=$((n + 1))
              date -u +%FT%T.%NZ > "$LOGDIR/daemon-$n.log"
              /bin/sh -c 'echo $$ > "$PIDFILE.tmp" && mv "$PIDFILE.tmp" "$PIDFILE"; LISTEN_PID=$$ exec "$@"' strata "$@" \\
                >> "$LOGDIR/daemon-$n.log" 2>&1
            done
            """;

    private Path dir;
    private Process supervisor;
    private PrivateContainerd containerd;

    @BeforeEach
    void setUp() throws Exception {
        if (!PrivateContainerd.available() || !Files.isExecutable(Path.of("/usr/bin/systemd-socket-activate"))) {
            assertThat(System.getenv("CI")).as("containerd, runc and systemd-socket-activate must be there in CI").isNull();
            Assumptions.abort("containerd, runc or systemd-socket-activate missing");
        }
        dir = Files.createTempDirectory("strata-restart");
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (containerd != null) {
                containerd.close();
            }
        } finally {
            if (supervisor != null) {
                Files.writeString(dir.resolve("stop"), "");
                daemonPid().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroy);
                supervisor.waitFor(60, TimeUnit.SECONDS);
                supervisor.destroyForcibly();
            }
            Tree.deleteTree(dir);
        }
    }

    private java.util.Optional<Long> daemonPid() throws java.io.IOException {
        Path f = dir.resolve("daemon.pid");
        return Files.exists(f) ? java.util.Optional.of(Long.parseLong(Files.readString(f).strip())) : java.util.Optional.empty();
    }

    private static void awaitAnswer(Path socket, long deadline) throws InterruptedException {
        while (true) {
            try (Snapshotter sn = RemoteSnapshotter.connect(socket, "strata-overlayfs")) {
                sn.list();
                return;
            } catch (UnavailableException e) {
                assertThat(System.nanoTime()).as("the daemon answers: %s", e.getMessage()).isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    @Test
    void containerdRunsContainersRightAfterEachRestart() throws Exception {
        Path socket = dir.resolve("strata.sock");
        Path script = Files.writeString(dir.resolve("supervise.sh"), SUPERVISOR);
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/systemd-socket-activate", "-l", socket.toString(),
                "-E", "STOP=" + dir.resolve("stop"), "-E", "PIDFILE=" + dir.resolve("daemon.pid"),
                "-E", "LOGDIR=" + dir, "/bin/sh", script.toString()));
        cmd.addAll(PackagedStrata.command("daemon", "--address", socket.toString(), "--root", dir.resolve("strata").toString(),
                "--log-level", "info"));
        supervisor = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("activate.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(socket)) {
            assertThat(System.nanoTime()).as("the socket is listening").isLessThan(deadline);
            Thread.sleep(5);
        }
        // As the printed units order them (strata.service is Type=notify and Before=containerd.service),
        // containerd starts once the daemon answers: a first connect that spawns a cold JVM would be
        // held to grpc-go's one-second handshake deadline (no minimum connect timeout).
        awaitAnswer(socket, deadline);
        containerd = Containerds.start(dir.resolve("containerd"), PrivateContainerd.Install.system(), socket);

        Path work = Files.createDirectories(dir.resolve("image"));
        Path l1 = Files.createDirectories(work.resolve("l1"));
        ContainerdProxyTest.busyboxRoot(l1);
        String image = "docker.io/library/strata-restart:latest";
        containerd.ctr("images", "import", "--snapshotter", "strata-overlayfs",
                OciArchive.build(work, image, List.of(l1), List.of("/bin/sh")).toString());
        assertThat(containerd.ctr("run", "--rm", "--snapshotter", "strata-overlayfs", image, "before", "/bin/sh", "-c", "echo up")
                .strip()).isEqualTo("up");

        for (int round = 1; round <= 3; round++) {
            long old = daemonPid().orElseThrow();
            ProcessHandle.of(old).orElseThrow().destroy();
            while (ProcessHandle.of(old).map(ProcessHandle::isAlive).orElse(false)) {
                Thread.sleep(1);
            }
            // At once: the new daemon is starting on the same socket, and containerd's calls wait for it.
            PrivateContainerd.Result run = containerd.ctrResult("run", "--rm", "--snapshotter", "strata-overlayfs", image,
                    "after-" + round, "/bin/sh", "-c", "echo round " + round);
            assertThat(run.code()).as("ctr run right after restart %d: %s\ncontainerd: %s", round, run.out(),
                    containerd.log()).isZero();
            assertThat(run.out().strip()).isEqualTo("round " + round);
            assertThat(daemonPid().orElseThrow()).as("a new daemon answered").isNotEqualTo(old);
            assertThat(containerd.ctrResult("snapshots", "--snapshotter", "strata-overlayfs", "ls").code()).isZero();
        }
        for (int n = 1; n <= 3; n++) {
            assertThat(Files.readString(dir.resolve("daemon-" + n + ".log"))).as("daemon %d stopped cleanly", n)
                    .doesNotContain("level=error");
        }
    }
}
