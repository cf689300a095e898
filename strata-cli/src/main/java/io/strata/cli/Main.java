package io.strata.cli;

import io.strata.api.StrataException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code strata} command. */
@Command(name = "strata", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Container snapshots on the JVM: containerd's snapshotters, in Java.",
        subcommands = {SnapshotsCommand.class, LayerCommand.class, ImageCommands.Pull.class, ImageCommands.Import.class,
                ImageCommands.Images.class, ImageCommands.Rootfs.class, ImageCommands.Gc.class, EventsCommand.class, DaemonCommand.class,
                FsckCommand.class, MountCommand.class, UnmountCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:internal error (I/O, storage)",
                "2:bad usage or invalid argument",
                "3:not found",
                "4:already exists",
                "5:failed precondition (wrong state, e.g. has children, not committed)",
                "6:unavailable"})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        CommandLine cl;
        if (args.length > 0 && args[0].equals("daemon")) {
            String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
            // The daemon's start is on containerd's critical path: plain options skip picocli's model
            // (see PlainOptions); help, printing and anything picocli must explain go through it.
            var plain = PlainOptions.parse(new DaemonCommand(), rest, DaemonCommand.PLAIN);
            if (plain.isPresent()) {
                try {
                    return plain.get().call();
                } catch (Exception e) {
                    return failed(e, new PrintWriter(System.err, true));
                }
            }
            // Only this one command's model, not the whole tree's; its usage and errors read the same.
            cl = new CommandLine(new DaemonCommand());
            cl.setCommandName("strata daemon");
            args = rest;
        } else {
            cl = new CommandLine(new Main());
        }
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> failed(ex, cmd.getErr()));
        return cl.execute(args);
    }

    /** What a command that threw prints, and its exit code. */
    private static int failed(Exception ex, PrintWriter err) {
        if (ex instanceof StrataException se) {
            err.println("strata: " + ExitCodes.describe(se));
            return ExitCodes.of(se);
        }
        err.println("strata: " + ex);
        if (System.getenv("STRATA_DEBUG") != null) {
            ex.printStackTrace(err);
        }
        return 1;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"strata " + (v == null ? "dev" : v)};
        }
    }
}
