package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Kind;
import io.strata.api.Snapshotter;
import io.strata.grpc.RemoteSnapshotter;
import io.strata.testkit.Tree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The packaged daemon starts with its AOT cache, and with a cache that is not its own. */
@Timeout(120)
class PackagedStartIT {
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("strata-packaged");
    }

    @AfterEach
    void tearDown() throws Exception {
        Tree.deleteTree(dir);
    }

    private void servesWith(List<String> command, String name) throws Exception {
        Path socket = dir.resolve(name + ".sock");
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(List.of("daemon", "--address", socket.toString(), "--root", dir.resolve(name).toString()));
        try (DaemonProcess d = DaemonProcess.start(dir.resolve(name + ".log"), Map.of(), cmd).awaitSocket(socket)) {
            try (Snapshotter sn = RemoteSnapshotter.connect(socket, "strata")) {
                sn.prepare("k", "");
                assertThat(sn.stat("k").kind()).isEqualTo(Kind.ACTIVE);
            }
            assertThat(d.stop()).isZero();
            assertThat(d.log()).as("nothing on stderr at the default level").isEmpty();
        }
    }

    @Test
    void theBuildTrainedAnAotCacheAndTheDaemonStartsWithIt() throws Exception {
        assertThat(PackagedStrata.AOT_CACHE).as("package writes the AOT cache").exists();
        servesWith(PackagedStrata.command(), "with-cache");
    }

    @Test
    void anAotCacheFromAnotherBuildIsIgnored() throws Exception {
        Path garbage = Files.write(dir.resolve("other.aot"), "not an AOT cache".repeat(1000).getBytes());
        List<String> cmd = new ArrayList<>(PackagedStrata.command());
        cmd.removeIf(a -> a.startsWith("-XX:AOTCache="));
        cmd.add(cmd.indexOf("-jar"), "-XX:AOTCache=" + garbage);
        if (!cmd.contains("-Xlog:aot=off")) {
            cmd.addAll(cmd.indexOf("-jar"), List.of("-Xlog:aot=off", "-Xlog:cds=off"));
        }
        servesWith(cmd, "garbage-cache");
    }
}
