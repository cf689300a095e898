package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.testkit.PrivateContainerd;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.provider.Arguments;
import picocli.CommandLine;

/** The real containerds the proxy-plugin tests run against, configured with what Strata prints. */
final class Containerds {
    private Containerds() {
    }

    /** containerd 1.6 (Debian 12) and 2.1 (from .ci/containerd2). */
    static Stream<PrivateContainerd.Install> installs() {
        return Stream.of(PrivateContainerd.Install.system(), PrivateContainerd.Install.containerd2());
    }

    /** Every containerd with every backend. */
    static Stream<Arguments> installsAndBackends() {
        return installs().flatMap(c -> Stream.of("overlayfs", "native", "block").map(b -> Arguments.of(c, b)));
    }

    /** Skips on a developer's machine without {@code install}; in CI (.ci/run installs both) fails instead. */
    static void require(PrivateContainerd.Install install) {
        if (!install.available()) {
            assertThat(System.getenv("CI")).as("%s and runc must be installed in CI (.ci/run)", install).isNull();
            Assumptions.abort(install + " or runc not installed (apt-get install containerd runc; .ci/containerd2)");
        }
    }

    /** What {@code strata daemon --print-containerd-config} prints for this containerd and socket. */
    static String printedConfig(PrivateContainerd.Install install, Path strataSocket, String... more) {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new DaemonCommand()).setOut(new PrintWriter(out));
        String[] args = Stream.concat(Stream.of("--print-containerd-config", "--format", install.format(),
                "--address", strataSocket.toString()), Stream.of(more)).toArray(String[]::new);
        assertThat(cl.execute(args)).isZero();
        return out.toString();
    }

    /** Starts containerd {@code install} under {@code dir} with Strata at {@code strataSocket}, as a user would configure it. */
    static PrivateContainerd start(Path dir, PrivateContainerd.Install install, Path strataSocket)
            throws IOException, InterruptedException {
        require(install);
        return PrivateContainerd.start(dir, install, printedConfig(install, strataSocket));
    }
}
