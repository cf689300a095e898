package io.strata.cli;

import io.strata.api.StrataVersion;
import io.strata.grpc.RemoteVersion;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata version}: this program's version, git revision, JDK and kernel, and with
 * {@code --address} the daemon's version and revision, in the shape {@code ctr version} prints.
 * The client part is printed first, so a daemon that does not answer still leaves it on screen.
 */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Print the version of strata and, with --address, of the daemon it talks to.")
final class VersionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = {"--address", "-a"}, defaultValue = "${env:STRATA_ADDRESS}",
            description = "Also ask the strata daemon (or containerd) on this unix socket for its version.")
    Path address;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        StrataVersion client = StrataVersion.current();
        out.println("Client:");
        out.println("  Version:  " + client.version());
        out.println("  Revision: " + client.revision());
        out.println("  Java:     " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor") + ")");
        out.println("  Kernel:   " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        out.flush();
        if (address != null) {
            StrataVersion server = RemoteVersion.of(address);
            out.println();
            out.println("Server:");
            out.println("  Address:  " + address.toAbsolutePath());
            out.println("  Version:  " + server.version());
            out.println("  Revision: " + server.revision());
        }
        return 0;
    }
}
