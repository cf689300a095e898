package io.strata.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Options where ctr users put them. {@code ctr -n k8s.io images ls} gives the namespace before the
 * command, {@code ctr snapshots --snapshotter native ls} gives the group's option before the
 * subcommand; strata takes both placements as well as the one after the subcommand.
 *
 * <ul>
 *   <li>Global options before the command ({@code --root}, {@code --address}/{@code -a},
 *       {@code --namespace}/{@code -n}, {@code --log-level}) become the defaults of the same options
 *       of the command run: one given after the command wins. One the command has no use for is an
 *       error, never silently dropped.</li>
 *   <li>Options between a group ({@code snapshots}, {@code images}) and its subcommand are moved
 *       behind the subcommand, which is where picocli looks for them.</li>
 * </ul>
 *
 * <p>This works on the argument list before picocli parses it, so the launcher still builds the
 * model of the one command typed (see {@link Main#run}).
 */
final class GlobalOptions {
    /** The global options by long name, with every name each may be typed as. */
    static final Map<String, List<String>> NAMES = Map.of(
            "--root", List.of("--root"),
            "--address", List.of("--address", "-a"),
            "--namespace", List.of("--namespace", "-n"),
            "--log-level", List.of("--log-level"));

    private final Map<String, String> given;
    private final String[] rest;

    private GlobalOptions(Map<String, String> given, String[] rest) {
        this.given = given;
        this.rest = rest;
    }

    /** Thrown for a global option typed wrongly; the message names it and the right form. */
    static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    /** Takes the global options in front of the command off {@code args}. */
    static GlobalOptions peel(String[] args) {
        Map<String, String> given = new LinkedHashMap<>();
        int i = 0;
        while (i < args.length && args[i].startsWith("-")) {
            String a = args[i];
            int eq = a.indexOf('=');
            String typed = eq > 0 ? a.substring(0, eq) : a;
            Optional<String> global = longName(typed);
            if (global.isEmpty()) {
                break; // --help, --version, or an unknown option: picocli answers for those
            }
            String value;
            if (eq > 0) {
                value = a.substring(eq + 1);
                i++;
            } else if (i + 1 < args.length) {
                value = args[i + 1];
                i += 2;
            } else {
                throw new UsageError("option '" + typed + "' needs a value, e.g. strata " + typed + " VALUE COMMAND");
            }
            if (given.putIfAbsent(global.get(), value) != null) {
                throw new UsageError("option '" + global.get() + "' is given twice before the command");
            }
        }
        return new GlobalOptions(given, Arrays.copyOfRange(args, i, args.length));
    }

    private static Optional<String> longName(String typed) {
        return NAMES.entrySet().stream().filter(e -> e.getValue().contains(typed)).map(Map.Entry::getKey).findFirst();
    }

    /** The arguments after the global options: the command and everything after it. */
    String[] rest() {
        return rest;
    }

    /** The value given before the command for global option {@code longName}. */
    Optional<String> get(String longName) {
        return Optional.ofNullable(given.get(longName));
    }

    /**
     * {@code args} (after the command's name) with the global options given before the command
     * appended as the command's own, for a command parsed without picocli's defaults ({@code
     * daemon}); an option also given after the command keeps that value.
     */
    String[] appendTo(String[] args, List<String> accepted, String command) {
        List<String> out = new ArrayList<>(Arrays.asList(args));
        for (var e : given.entrySet()) {
            if (!accepted.contains(e.getKey())) {
                throw new UsageError(doesNotApply(e.getKey(), command) + "; see '" + command + " --help' for its options");
            }
            boolean typedAgain = Arrays.stream(args).anyMatch(a -> NAMES.get(e.getKey()).stream()
                    .anyMatch(n -> a.equals(n) || a.startsWith(n + "=")));
            if (!typedAgain) {
                out.add(e.getKey());
                out.add(e.getValue());
            }
        }
        return out.toArray(String[]::new);
    }

    /** Makes the global options given before the command the defaults of {@code cl}'s options of the same name. */
    void applyTo(CommandLine cl) {
        if (given.isEmpty()) {
            return;
        }
        CommandLine.IDefaultValueProvider previous = cl.getDefaultValueProvider();
        cl.setDefaultValueProvider(arg -> {
            String v = arg instanceof OptionSpec o ? given.get(o.longestName()) : null;
            return v != null ? v : previous == null ? null : previous.defaultValue(arg);
        });
        CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
        cl.setExecutionStrategy(parsed -> {
            if (!parsed.isUsageHelpRequested() && !parsed.isVersionHelpRequested()) {
                CommandLine leaf = parsed.asCommandLineList().getLast();
                for (String g : given.keySet()) {
                    if (!g.equals("--log-level") && leaf.getCommandSpec().findOption(g) == null) {
                        throw new CommandLine.ParameterException(leaf, doesNotApply(g, leaf.getCommandSpec().qualifiedName()));
                    }
                }
            }
            return run.execute(parsed);
        });
    }

    private static String doesNotApply(String option, String command) {
        return "option '" + option + "' does not apply to '" + command + "'";
    }

    /**
     * Moves the options typed between a group command and its subcommand ({@code snapshots
     * --snapshotter native ls}) behind the subcommand, before a {@code --} if there is one.
     *
     * @param group the group's model; {@code args} are what follows its name
     */
    static String[] afterSubcommand(CommandSpec group, String[] args) {
        if (group.subcommands().isEmpty()) {
            return args;
        }
        List<String> moved = new ArrayList<>();
        int i = 0;
        while (i < args.length && args[i].startsWith("-") && !args[i].equals("--")) {
            String a = args[i];
            int eq = a.indexOf('=');
            String name = eq > 0 ? a.substring(0, eq) : a;
            if (group.findOption(name) != null) {
                return args; // the group's own (--help): picocli answers it where it is
            }
            Optional<OptionSpec> o = optionOfAnySubcommand(group, name);
            if (o.isEmpty()) {
                return args; // unknown: picocli names it
            }
            boolean takesValue = eq < 0 && o.get().arity().max() > 0;
            moved.add(a);
            i++;
            if (takesValue && i < args.length) {
                moved.add(args[i++]);
            }
        }
        if (moved.isEmpty() || i >= args.length || !group.subcommands().containsKey(args[i])) {
            return args;
        }
        List<String> out = new ArrayList<>();
        out.add(args[i]);
        int end = args.length;
        for (int j = i + 1; j < args.length; j++) {
            if (args[j].equals("--")) {
                end = j;
                break;
            }
        }
        out.addAll(Arrays.asList(args).subList(i + 1, end));
        out.addAll(moved);
        out.addAll(Arrays.asList(args).subList(end, args.length));
        return out.toArray(String[]::new);
    }

    private static Optional<OptionSpec> optionOfAnySubcommand(CommandSpec group, String name) {
        return group.subcommands().values().stream().map(c -> c.getCommandSpec().findOption(name))
                .filter(java.util.Objects::nonNull).findFirst();
    }
}
