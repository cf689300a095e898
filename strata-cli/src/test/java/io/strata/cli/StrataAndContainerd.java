package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.testkit.PrivateContainerd;
import io.strata.testkit.Tree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;

/**
 * A test's world: a temporary directory with {@code strata daemon} running in process on every
 * backend ({@code <dir>/strata.sock}, state in {@code <dir>/strata}) and a private containerd
 * configured with what the daemon prints for it. {@link #close()} stops both and deletes the directory.
 */
final class StrataAndContainerd implements AutoCloseable {
    private final Path dir;
    private final Path socket;
    private final DaemonCommand daemon = new DaemonCommand();
    private Thread daemonThread;
    private PrivateContainerd containerd;

    private StrataAndContainerd(Path dir) {
        this.dir = dir;
        this.socket = dir.resolve("strata.sock");
    }

    /**
     * Starts both; skips (or fails, in CI) when {@code install} is missing. The daemon is told where
     * this containerd keeps its root and socket, as its differ needs to know.
     */
    static StrataAndContainerd start(PrivateContainerd.Install install) throws Exception {
        return start(install, null);
    }

    /**
     * As {@link #start(PrivateContainerd.Install)}, with the daemon's {@code --containerd-root} set to
     * {@code containerdRoot} instead (null: containerd's real root), to make it read blobs elsewhere.
     */
    static StrataAndContainerd start(PrivateContainerd.Install install, Path containerdRoot) throws Exception {
        Containerds.require(install);
        StrataAndContainerd w = new StrataAndContainerd(Files.createTempDirectory("strata-containerd"));
        try {
            CommandLine cl = new CommandLine(w.daemon);
            Path ctr = w.dir.resolve("containerd");
            String root = (containerdRoot != null ? containerdRoot : ctr.resolve("root")).toString();
            // The daemon's thread lives until the test ends: containerd 2.1 ends OS threads after some mounts.
            w.daemonThread = Thread.ofPlatform().name("strata-daemon").start(() -> cl.execute(
                    "--address", w.socket.toString(), "--root", w.dir.resolve("strata").toString(),
                    "--containerd-root", root, "--containerd-address", ctr.resolve("containerd.sock").toString()));
            assertThat(w.daemon.awaitStarted(Duration.ofSeconds(30))).as("daemon started").isTrue();
            w.containerd = Containerds.start(ctr, install, w.socket);
            return w;
        } catch (Exception | Error e) {
            w.close();
            throw e;
        }
    }

    Path dir() {
        return dir;
    }

    Path socket() {
        return socket;
    }

    PrivateContainerd containerd() {
        return containerd;
    }

    @Override
    public void close() throws Exception {
        try {
            if (containerd != null) {
                containerd.close();
            }
        } finally {
            if (daemonThread != null) {
                daemon.stop();
                daemonThread.join(30_000);
            }
            Tree.deleteTree(dir);
        }
    }
}
