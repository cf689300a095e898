package io.strata.cli;

import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What a command line picocli cannot parse prints: one line on stderr that names what was wrong
 * and the nearest valid form (a close option or subcommand name, or where an image reference that
 * landed on an option belongs), then exit code {@value #USAGE}. Nothing has run, so nothing on disk
 * was touched. picocli's default prints the whole usage text instead, which buries the one line
 * that matters.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    /** The exit code of a usage error, the same as for an invalid argument. */
    static final int USAGE = 2;
    /** A value that looks like an image reference: a path with a tag or digest, {@code host:5000/app:1}. */
    private static final Pattern REFERENCE = Pattern.compile("[^\\s/-][^\\s/]*/\\S*(:[\\w][\\w.-]*|@[a-z0-9]+:[0-9a-f]+)");

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        StringBuilder line = new StringBuilder("strata: ").append(message(ex));
        if (ex instanceof CommandLine.UnmatchedArgumentException u) {
            List<String> s = !u.getSuggestions().isEmpty() ? u.getSuggestions() : subcommandOptionsNear(cmd, u.getUnmatched());
            if (!s.isEmpty()) {
                line.append("; did you mean '").append(String.join("' or '", s.subList(0, Math.min(2, s.size())))).append("'?");
            }
        }
        referenceOnOption(cmd, args).ifPresent(line::append);
        line.append(" (see '").append(name).append(" --help')");
        cmd.getErr().println(line);
        cmd.getErr().flush();
        return USAGE;
    }

    /**
     * For a group ({@code snapshots --snapshoter native ls}): the options of its subcommands within
     * two edits of an unmatched option, since a group's own options are only help and version.
     */
    private static List<String> subcommandOptionsNear(CommandLine group, List<String> unmatched) {
        java.util.Set<String> near = new java.util.LinkedHashSet<>();
        for (String typed : unmatched) {
            String name = typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed;
            if (!name.startsWith("-")) {
                continue;
            }
            for (CommandLine sub : group.getSubcommands().values()) {
                for (OptionSpec o : sub.getCommandSpec().options()) {
                    for (String n : o.names()) {
                        if (n.length() > 2 && distance(name, n) <= 2) {
                            near.add(n);
                        }
                    }
                }
            }
        }
        return List.copyOf(near);
    }

    /** Levenshtein distance: how many single-character edits turn {@code a} into {@code b}. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String message(CommandLine.ParameterException ex) {
        String m = ex.getMessage();
        // picocli's sentences end in a period; ours go on with a hint.
        return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
    }

    /** A hint when an image reference was taken as the value of the option before it. */
    private static java.util.Optional<String> referenceOnOption(CommandLine cmd, String[] args) {
        for (int i = 1; i < args.length; i++) {
            OptionSpec o = cmd.getCommandSpec().findOption(args[i - 1]);
            if (o != null && o.arity().max() > 0 && REFERENCE.matcher(args[i]).matches()) {
                return java.util.Optional.of("; '" + args[i] + "' looks like an image reference but was taken as the value of "
                        + args[i - 1] + " (" + o.paramLabel() + "): put the reference last, after every option's value");
            }
        }
        return java.util.Optional.empty();
    }
}
