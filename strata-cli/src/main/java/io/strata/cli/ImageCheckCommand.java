package io.strata.cli;

import io.strata.image.ImageStatus;
import io.strata.image.Strata;
import io.strata.image.meta.ImageRecord;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata images check}: per image, which blobs it needs are present and whether it is
 * unpacked in the snapshotter, as {@code ctr images check} prints it (REF TYPE DIGEST STATUS SIZE UNPACKED).
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check that images have all their blobs and are unpacked: REF TYPE DIGEST STATUS SIZE UNPACKED.")
final class ImageCheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ImageCommands.Where where;
    @Option(names = "--platform", description = "os/arch[/variant] whose manifest to check (default: this host).")
    String platform;
    @Option(names = {"-q", "--quiet"}, description = "Print only the names of incomplete images.")
    boolean quiet;
    @Option(names = "--json", description = "JSON output, one object per image.")
    boolean json;
    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Images to check (default: all of the namespace).")
    List<String> names = List.of();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Strata strata = where.open()) {
            List<String> which = names.isEmpty() ? strata.metadata().images(where.namespace).stream().map(ImageRecord::name).toList() : names;
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"REF", "TYPE", "DIGEST", "STATUS", "SIZE", "UNPACKED"});
            for (String n : which) {
                ImageStatus s = ImageStatus.of(strata, where.namespace, n, where.snapshotter, ImageCommands.platforms(platform, false));
                String status = (s.complete() ? "complete" : "incomplete") + " (" + (s.needed().size() - s.missing().size())
                        + "/" + s.needed().size() + ")";
                if (quiet) {
                    if (!s.complete()) {
                        out.println(n);
                    }
                } else if (json) {
                    out.println("{\"name\":" + Json.str(n) + ",\"digest\":" + Json.str(s.image().digest()) + ",\"complete\":"
                            + s.complete() + ",\"present\":" + (s.needed().size() - s.missing().size()) + ",\"needed\":"
                            + s.needed().size() + ",\"missing\":" + Json.array(s.missing().stream().map(d -> Json.str(d.digest())).toList())
                            + ",\"presentBytes\":" + s.presentBytes() + ",\"totalBytes\":" + s.totalBytes()
                            + ",\"unpacked\":" + s.unpacked() + "}");
                } else {
                    rows.add(new String[] {n, s.image().mediaType(), s.image().digest(), status,
                            Table.human(s.presentBytes()) + "/" + Table.human(s.totalBytes()), String.valueOf(s.unpacked())});
                }
            }
            if (!quiet && !json) {
                Table.print(out, rows);
            }
        }
        return 0;
    }
}
