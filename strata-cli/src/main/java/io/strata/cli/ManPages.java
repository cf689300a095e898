package io.strata.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * A build step, not part of the command line: writes a man page (troff, section 1) for every
 * command of the tree, {@code strata.1}, {@code strata-pull.1}, {@code strata-snapshots-prepare.1}
 * and so on, and the shell completion script, from the picocli model that parses the command line.
 * Written straight as troff, so that {@code man} reads them with nothing else installed (picocli's
 * own generator writes AsciiDoc, which needs asciidoctor).
 *
 * <p>Run by {@code strata-cli/pom.xml}: {@code java -cp strata.jar io.strata.cli.ManPages DIR}
 * writes {@code DIR/man1/*.1} and {@code DIR/completion/strata.bash}.
 */
public final class ManPages {
    private ManPages() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ManPages OUTPUT_DIR");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Path man = Files.createDirectories(out.resolve("man1"));
        List<CommandLine> all = new ArrayList<>();
        collect(new CommandLine(new Main()), all);
        for (CommandLine c : all) {
            Files.writeString(man.resolve(fileName(c.getCommandSpec()) + ".1"), page(c));
        }
        Files.writeString(Files.createDirectories(out.resolve("completion")).resolve("strata.bash"), CompletionCommand.script());
        System.out.println("wrote " + all.size() + " man pages and the completion script to " + out);
    }

    private static void collect(CommandLine c, List<CommandLine> into) {
        into.add(c);
        // Aliases map to the same command: write each once.
        c.getSubcommands().values().stream().distinct()
                .filter(s -> !(s.getCommand() instanceof CommandLine.HelpCommand))
                .forEach(s -> collect(s, into));
    }

    static String fileName(CommandSpec spec) {
        return spec.qualifiedName("-");
    }

    /** The man page of one command. */
    static String page(CommandLine c) {
        CommandSpec spec = c.getCommandSpec();
        String title = fileName(spec).toUpperCase(java.util.Locale.ROOT);
        String version = String.join(" ", spec.version().length > 0 ? spec.version() : new Main.Version().getVersion());
        StringBuilder t = new StringBuilder();
        t.append(".TH ").append(quote(title)).append(" 1 \"\" ").append(quote(version)).append(" \"Strata Manual\"\n");
        t.append(".SH NAME\n").append(esc(spec.qualifiedName("-"))).append(" \\- ")
                .append(esc(first(spec.usageMessage().description()))).append('\n');
        t.append(".SH SYNOPSIS\n.nf\n").append(esc(plain(c.getHelp().synopsis(0)).strip())).append("\n.fi\n");
        String[] description = spec.usageMessage().description();
        if (description.length > 0) {
            t.append(".SH DESCRIPTION\n");
            for (String line : description) {
                t.append(esc(line)).append("\n.br\n");
            }
        }
        List<PositionalParamSpec> params = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!params.isEmpty()) {
            t.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : params) {
                t.append(".TP\n\\fI").append(esc(p.paramLabel())).append("\\fR\n").append(esc(String.join(" ", p.description()))).append('\n');
            }
        }
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
        if (!options.isEmpty()) {
            t.append(".SH OPTIONS\n");
            for (OptionSpec o : options) {
                t.append(".TP\n\\fB").append(esc(String.join(", ", o.names()))).append("\\fR");
                if (o.arity().max() > 0) {
                    t.append(" \\fI").append(esc(o.paramLabel())).append("\\fR");
                }
                t.append('\n').append(esc(String.join(" ", o.description()))).append('\n');
            }
        }
        Map<String, CommandLine> subs = c.getSubcommands();
        if (!subs.isEmpty()) {
            t.append(".SH COMMANDS\n");
            subs.values().stream().distinct().filter(s -> !(s.getCommand() instanceof CommandLine.HelpCommand)).forEach(s -> {
                t.append(".TP\n\\fB").append(esc(s.getCommandName())).append("\\fR\n")
                        .append(esc(first(s.getCommandSpec().usageMessage().description())))
                        .append(" See \\fB").append(esc(fileName(s.getCommandSpec()))).append("\\fR(1).\n");
            });
        }
        Map<String, String> exits = spec.usageMessage().exitCodeList();
        if (!exits.isEmpty()) {
            t.append(".SH EXIT STATUS\n");
            exits.forEach((code, what) -> t.append(".TP\n").append(esc(code.strip())).append('\n').append(esc(what)).append('\n'));
        }
        if (spec.parent() != null) {
            t.append(".SH SEE ALSO\n\\fB").append(esc(fileName(spec.parent()))).append("\\fR(1)\n");
        }
        return t.toString();
    }

    private static String first(String[] lines) {
        return lines.length == 0 ? "" : lines[0];
    }

    /** Help text as plain characters: picocli's synopsis may carry ANSI styles. */
    private static String plain(String s) {
        return s.replaceAll("\u001B\\[[;\\d]*m", "");
    }

    private static String quote(String s) {
        return "\"" + esc(s).replace("\"", "\\(dq") + "\"";
    }

    /** troff's escapes: backslashes, hyphens as minus signs, no request character at a line's start. */
    static String esc(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-");
        StringBuilder out = new StringBuilder();
        for (String line : e.split("\n", -1)) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            if (line.startsWith(".") || line.startsWith("'")) {
                out.append("\\&");
            }
            out.append(line);
        }
        return out.toString();
    }
}
