package io.strata.cli;

import io.strata.api.InvalidArgumentException;
import io.strata.api.NotFoundException;
import io.strata.content.GcLabels;
import io.strata.image.Strata;
import io.strata.image.meta.Lease;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata leases ls|create|rm}: the leases of a namespace, as {@code ctr leases} shows them.
 * A lease keeps what it lists from {@code strata gc}; one with {@code containerd.io/gc.expire} stops
 * protecting anything after that time.
 */
@Command(name = "leases", aliases = "lease", mixinStandardHelpOptions = true, description = "List, create and remove leases.",
        subcommands = {LeasesCommand.Ls.class, LeasesCommand.Create.class, LeasesCommand.Rm.class})
final class LeasesCommand {
    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List leases: ID CREATED AT LABELS.")
    static final class Ls implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ImageCommands.Where where;
        @Option(names = {"-q", "--quiet"}, description = "Ids only.")
        boolean quiet;
        @Option(names = "--json", description = "JSON output, one object per lease, with its resources.")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Strata strata = where.open()) {
                List<Lease> leases = strata.metadata().leases(where.namespace);
                if (quiet) {
                    leases.forEach(l -> out.println(l.id()));
                } else if (json) {
                    for (Lease l : leases) {
                        List<String> res = l.resources().stream()
                                .map(r -> "{\"type\":" + Json.str(r.type()) + ",\"id\":" + Json.str(r.id()) + "}").toList();
                        out.println("{\"id\":" + Json.str(l.id()) + ",\"createdAt\":" + Json.str(l.created().toString())
                                + ",\"labels\":" + Json.labels(l.labels()) + ",\"resources\":[" + String.join(",", res) + "]}");
                    }
                } else {
                    List<String[]> rows = new ArrayList<>();
                    rows.add(new String[] {"ID", "CREATED AT", "LABELS"});
                    leases.forEach(l -> rows.add(new String[] {l.id(), l.created().truncatedTo(ChronoUnit.SECONDS).toString(),
                            ContentCommand.labelList(l.labels())}));
                    Table.print(out, rows);
                }
            }
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a lease and print its id.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        ImageCommands.Where where;
        @Option(names = {"--id", "-i"}, description = "The lease's id (default: a new one).")
        String id;
        @Option(names = {"--expires", "-x"}, defaultValue = "24h",
                description = "How long it protects what it holds, e.g. 30m, 24h, 0 for ever (default: ${DEFAULT-VALUE}).")
        String expires;
        @Parameters(paramLabel = "KEY=VALUE", description = "Labels.")
        List<String> labels = List.of();

        @Override
        public Integer call() {
            Map<String, String> l = new LinkedHashMap<>(SnapshotsCommand.parseLabels(labels, false));
            Duration d = duration(expires);
            if (!d.isZero()) {
                l.put(GcLabels.EXPIRE, Instant.now().plus(d).truncatedTo(ChronoUnit.SECONDS).toString());
            }
            try (Strata strata = where.open()) {
                Lease lease = strata.metadata().createLease(where.namespace, id != null ? id : "strata-" + UUID.randomUUID(), l);
                spec.commandLine().getOut().println(lease.id());
            }
            return 0;
        }
    }

    @Command(name = "rm", aliases = {"remove", "delete", "del"}, mixinStandardHelpOptions = true,
            description = "Remove leases; what they held is left to the next 'strata gc'.")
    static final class Rm implements Callable<Integer> {
        @Mixin
        ImageCommands.Where where;
        @Parameters(arity = "1..*", paramLabel = "ID", description = "Lease ids.")
        List<String> ids;

        @Override
        public Integer call() {
            try (Strata strata = where.open()) {
                for (String id : ids) {
                    if (strata.metadata().lease(where.namespace, id).isEmpty()) {
                        throw new NotFoundException("lease \"" + id + "\": not found in namespace " + where.namespace);
                    }
                }
                ids.forEach(id -> strata.metadata().deleteLease(where.namespace, id));
            }
            return 0;
        }
    }

    /** {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d}, or {@code 0}: ctr's {@code --expires} durations. */
    static Duration duration(String s) {
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        try {
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            Duration d = switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> null;
            };
            if (d != null && !d.isNegative()) {
                return d;
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            // below
        }
        throw new InvalidArgumentException("--expires \"" + s + "\" is not a duration such as 90s, 30m, 24h, 7d or 0");
    }
}
