package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Snapshotter;
import io.strata.api.SnapshotOption;
import io.strata.backend.Backends;
import io.strata.grpc.RemoteSnapshotter;
import io.strata.cli.Captured.Result;
import io.strata.testkit.Tree;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code strata fsck} on a broken store; the daemon's check at start; and what the daemon refuses
 * or keeps to itself: a state root others can write, label values and payloads in its logs.
 */
class FsckCommandTest {
    private Path dir;
    private Path root;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("strata-fsck-cli");
        root = dir.resolve("state");
    }

    @AfterEach
    void tearDown() throws Exception {
        Tree.deleteTree(dir);
    }

    private static Result strata(String... args) {
        return Captured.run(args);
    }

    /** An active snapshot whose directory is gone, and an orphan directory: what a crash and a careless rm leave. */
    private void breakStore() throws Exception {
        try (Snapshotter sn = Backends.open("overlayfs", root)) {
            sn.prepare("lost", "");
        }
        Path snapshots = root.resolve("overlayfs/snapshots");
        try (var s = Files.list(snapshots)) {
            for (Path p : s.toList()) {
                Tree.deleteTree(p);
            }
        }
        Files.createDirectories(snapshots.resolve("new-leftover/fs"));
    }

    @Test
    void fsckReportsRepairsAndExitsByWhatRemains() throws Exception {
        breakStore();
        try (Snapshotter sn = Backends.open("native", root)) {
            sn.prepare("fine", "");
        }
        Result check = strata("fsck", "--root", root.toString());
        assertThat(check.code()).isEqualTo(1);
        assertThat(check.out()).contains("overlayfs: missing_data lost", "overlayfs: orphan", "new-leftover",
                "overlayfs: 2 found, 2 remain", "native: clean");

        Result repair = strata("fsck", "--root", root.toString(), "--repair", "--json", "-s", "overlayfs");
        assertThat(repair.code()).isZero();
        assertThat(repair.out()).contains("\"Snapshotter\":\"overlayfs\"", "\"Problem\":\"ORPHAN\"",
                "\"Problem\":\"MISSING_DATA\"", "\"Repaired\":true", "\"Remaining\":0").doesNotContain("\"Repaired\":false");

        assertThat(strata("fsck", "--root", root.toString()).out()).isEqualTo("overlayfs: clean\nnative: clean\n");
    }

    @Test
    void theDaemonChecksAtStartAfterAnUncleanStopQuietWhenCleanAndKeepsLabelValuesOutOfItsLogs() throws Exception {
        breakStore();
        // What a daemon that was killed leaves: the check runs only after such a stop.
        Files.createFile(root.resolve("daemon.running"));
        Path socket = dir.resolve("run/strata.sock");
        String broken = runDaemon(socket, sn -> { });
        assertThat(broken).contains("level=warn", "fsck overlayfs: orphan", "fsck overlayfs: missing_data lost",
                "strata fsck --repair");
        assertThat(strata("fsck", "--root", root.toString(), "--repair").code()).isZero();

        String clean = runDaemon(socket, sn -> {
            sn.prepare("secret-holder", "", SnapshotOption.labels(Map.of("registry.auth", "s3cr3t-t0ken")));
            sn.update(sn.stat("secret-holder").withLabels(Map.of("registry.auth", "n3w-s3cr3t")));
            try {
                sn.prepare("secret-holder", "", SnapshotOption.labels(Map.of("x", "s3cr3t-in-failed-call")));
            } catch (io.strata.api.AlreadyExistsException expected) {
                // failed calls must not log their payload either
            }
        });
        assertThat(clean).doesNotContain("fsck").doesNotContain("s3cr3t").doesNotContain("n3w-s3cr3t");
    }

    @Test
    void aStateRootOthersCanWriteIsRefused() throws Exception {
        Files.createDirectories(root);
        io.strata.fs.FileOps.chmod(root, 0777);
        Result r = strata("snapshots", "ls", "--root", root.toString());
        assertThat(r.code()).isEqualTo(5);
        assertThat(r.err()).contains("writable by others", "chmod o-w");
        Result d = strata("daemon", "--root", root.toString(), "--address", dir.resolve("x.sock").toString());
        assertThat(d.code()).isEqualTo(5);
        assertThat(d.err()).contains("writable by others");
        io.strata.fs.FileOps.chmod(root, 0755);
        assertThat(strata("snapshots", "ls", "--root", root.toString()).code()).isZero();
    }

    interface Client {
        void use(Snapshotter sn) throws Exception;
    }

    /** Runs the daemon at default log level around {@code client}; returns what it logged. */
    private String runDaemon(Path socket, Client client) throws Exception {
        PrintStream oldErr = System.err;
        var err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            DaemonCommand cmd = new DaemonCommand();
            Thread t = Thread.ofPlatform().start(() -> new CommandLine(cmd).execute(
                    "--address", socket.toString(), "--root", root.toString(), "--snapshotters", "overlayfs"));
            try {
                assertThat(cmd.awaitStarted(Duration.ofSeconds(30))).isTrue();
                var st = io.strata.fs.Stat.lstat(socket);
                assertThat(st.uid()).as("socket owner").isEqualTo(0);
                assertThat(st.permissions()).as("socket mode").isEqualTo(0660);
                try (Snapshotter sn = RemoteSnapshotter.connect(socket, "strata")) {
                    client.use(sn);
                }
            } finally {
                cmd.stop();
                t.join(30_000);
            }
        } finally {
            System.setErr(oldErr);
        }
        return err.toString(StandardCharsets.UTF_8);
    }
}
