package io.strata.cli;

import io.strata.backend.Backends;
import io.strata.backend.Fsck;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata fsck}: checks every backend's records against its disk under {@code --root}
 * ({@link Fsck} says what is checked and repaired). Exit code 0 when nothing is left wrong, 1 when
 * a problem remains. Run it with no daemon serving the root: it takes in-flight directories for orphans.
 */
@Command(name = "fsck", mixinStandardHelpOptions = true,
        description = "Check snapshot records against the disk; --repair fixes what is safe. Stop the daemon first.")
final class FsckCommand implements Callable<Integer> {
    @Option(names = "--root", defaultValue = "${env:STRATA_ROOT:-/var/lib/strata}",
            description = "State directory (default: ${DEFAULT-VALUE}).")
    Path root;
    @Option(names = {"--snapshotter", "-s"}, description = "Check only this backend (default: every backend with a store).")
    String snapshotter;
    @Option(names = "--repair", description = "Remove orphans and active/view records whose data is gone; fix modes."
            + " Committed snapshots are never removed.")
    boolean repair;
    @Option(names = "--usage", description = "Also measure every committed snapshot against its recorded usage (walks all data).")
    boolean usage;
    @Option(names = "--json", description = "Print findings as JSON.")
    boolean json;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Path stateRoot = root.toAbsolutePath();
        List<String> backends = snapshotter != null ? List.of(snapshotter)
                : Backends.NAMES.stream().filter(b -> Fsck.exists(b, stateRoot)).toList();
        PrintWriter out = spec.commandLine().getOut();
        List<String> jsonReports = new ArrayList<>();
        int remaining = 0;
        for (String b : backends) {
            Fsck.Report r = Fsck.run(b, stateRoot, new Fsck.Options(repair, usage));
            remaining += r.remaining().size();
            if (json) {
                jsonReports.add(json(r));
            } else {
                for (Fsck.Finding f : r.findings()) {
                    out.println(b + ": " + f);
                }
                out.println(b + ": " + (r.clean() ? "clean" : r.findings().size() + " found, " + r.remaining().size() + " remain"));
            }
        }
        if (json) {
            out.println(Json.array(jsonReports));
        }
        out.flush();
        return remaining == 0 ? 0 : 1;
    }

    private static String json(Fsck.Report r) {
        List<String> findings = new ArrayList<>();
        for (Fsck.Finding f : r.findings()) {
            findings.add("{\"Problem\":" + Json.str(f.problem().name()) + ",\"Key\":" + Json.str(f.key())
                    + ",\"Path\":" + Json.str(f.path()) + ",\"Detail\":" + Json.str(f.detail())
                    + ",\"Repaired\":" + f.repaired() + "}");
        }
        return "{\"Snapshotter\":" + Json.str(r.backend()) + ",\"Findings\":" + Json.array(findings)
                + ",\"Remaining\":" + r.remaining().size() + "}";
    }
}
