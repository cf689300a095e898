package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.StrataVersion;
import io.strata.cli.Captured.Result;
import io.strata.testkit.PrivateContainerd;
import io.strata.testkit.Tree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code strata version} prints the client's version, revision, JDK and kernel; with
 * {@code --address} it asks the daemon, through containerd's Version service, which real
 * {@code ctr version} reads too.
 */
class VersionCommandTest {
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("strata-version");
    }

    @AfterEach
    void tearDown() throws Exception {
        Tree.deleteTree(dir);
    }

    @Test
    void printsTheClientAsCtrDoes() {
        Result r = Captured.run("version");
        assertThat(r.code()).as(r.err()).isZero();
        StrataVersion v = StrataVersion.current();
        assertThat(v.version()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(v.revision()).as("the build runs in a git checkout").matches("[0-9a-f]{12}(-dirty)?");
        assertThat(r.out()).startsWith("Client:\n")
                .contains("  Version:  " + v.version(), "  Revision: " + v.revision(),
                        "  Java:     " + Runtime.version(), "  Kernel:   Linux " + System.getProperty("os.version"))
                .doesNotContain("Server:");
        assertThat(Captured.run("--version").out().strip()).isEqualTo("strata " + v.version() + " (" + v.revision() + ")");
    }

    @Test
    void asksTheDaemonAndCtrCanAskItToo() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (DaemonProcess d = DaemonProcess.daemon(dir.resolve("daemon.log"), socket, dir.resolve("root"), "--snapshotters", "native")
                .awaitSocket(socket)) {
            StrataVersion v = StrataVersion.current();
            for (String[] args : new String[][] {{"version", "--address", socket.toString()}, {"-a", socket.toString(), "version"}}) {
                Result r = Captured.run(args);
                assertThat(r.code()).as(r.err()).isZero();
                assertThat(r.out()).contains("Client:", "Server:", "  Address:  " + socket,
                        "Server:\n  Address:  " + socket + "\n  Version:  " + v.version() + "\n  Revision: " + v.revision());
            }
            PrivateContainerd.Install system = PrivateContainerd.Install.system();
            Containerds.require(system);
            Process ctr = new ProcessBuilder(system.bin().resolve("ctr").toString(), "--address", socket.toString(), "version")
                    .redirectErrorStream(true).start();
            assertThat(ctr.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String out = new String(ctr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(ctr.exitValue()).as(out).isZero();
            String uuid = Files.readString(dir.resolve("root/uuid")).strip();
            assertThat(out).contains("Server:", "Version:  " + v.version(), "Revision: " + v.revision(), "UUID: " + uuid);
        }
    }

    @Test
    void aDaemonThatIsNotThereIsUnavailableAfterTheClientPart() {
        Result r = Captured.run("version", "--address", dir.resolve("nobody.sock").toString());
        assertThat(r.code()).isEqualTo(6);
        assertThat(r.out()).contains("Client:").doesNotContain("Server:");
        assertThat(r.err()).contains("no server answers on", "nobody.sock");
    }
}
