package io.strata.cli;

import io.strata.api.StrataException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code strata} command. */
@Command(name = "strata", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Container snapshots on the JVM: containerd's snapshotters, in Java.",
        subcommands = {SnapshotsCommand.class, LayerCommand.class, ImageCommands.Pull.class, ImageCommands.Import.class,
                ImageCommands.Images.class, ContentCommand.class, LeasesCommand.class, ImageCommands.Rootfs.class,
                ImageCommands.Gc.class, EventsCommand.class, DaemonCommand.class,
                FsckCommand.class, MountCommand.class, UnmountCommand.class, DemoCommand.class, VersionCommand.class,
                CompletionCommand.class,
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
        GlobalOptions globals;
        try {
            globals = GlobalOptions.peel(args);
            globals.get("--log-level").ifPresent(level -> Logging.configure(level, System.err));
        } catch (GlobalOptions.UsageError | io.strata.api.InvalidArgumentException e) {
            System.err.println("strata: " + e.getMessage());
            return UsageErrors.USAGE;
        }
        args = globals.rest();
        CommandLine cl;
        if (args.length > 0 && args[0].equals("daemon")) {
            String[] rest;
            try {
                rest = globals.appendTo(java.util.Arrays.copyOfRange(args, 1, args.length),
                        java.util.List.of("--root", "--address", "--log-level"), "strata daemon");
            } catch (GlobalOptions.UsageError e) {
                System.err.println("strata: " + e.getMessage());
                return UsageErrors.USAGE;
            }
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
            // Picocli builds the model of every command it is given, which for the whole tree is
            // most of a short command's start (0.15 s of `strata --version`): give it only the one
            // named, called as in the tree. No name, help, or an unknown one: the whole tree.
            Object command = args.length > 0 ? topLevel(args[0]) : null;
            if (command != null) {
                cl = new CommandLine(command);
                cl.setCommandName("strata " + cl.getCommandName());
                args = GlobalOptions.afterSubcommand(cl.getCommandSpec(), java.util.Arrays.copyOfRange(args, 1, args.length));
            } else {
                cl = new CommandLine(new Main());
            }
            globals.applyTo(cl);
        }
        cl.setParameterExceptionHandler(new UsageErrors());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> failed(ex, cmd.getErr()));
        return cl.execute(args);
    }

    /** A new instance of the subcommand named (or aliased) {@code name}; null for none or help. */
    static Object topLevel(String name) {
        for (Class<?> c : Main.class.getAnnotation(Command.class).subcommands()) {
            Command command = c.getAnnotation(Command.class);
            if (c != CommandLine.HelpCommand.class && (command.name().equals(name)
                    || java.util.Arrays.asList(command.aliases()).contains(name))) {
                try {
                    var constructor = c.getDeclaredConstructor();
                    constructor.setAccessible(true);
                    return constructor.newInstance();
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot create command " + c.getName(), e);
                }
            }
        }
        return null;
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
            io.strata.api.StrataVersion v = io.strata.api.StrataVersion.current();
            return new String[] {"strata " + v.version() + " (" + v.revision() + ")"};
        }
    }
}
