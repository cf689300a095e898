package io.strata.cli;

import io.strata.events.Envelope;
import io.strata.events.EventJournal;
import io.strata.events.Subscription;
import io.strata.grpc.RemoteEvents;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata events}: streams what happens on a state root (snapshot, image and content events
 * from the daemon, the CLI and library users), or on a daemon's or containerd's socket, as
 * {@code ctr events} does.
 */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = {"Stream events as they happen: /snapshot/prepare|commit|remove, /images/create|update|delete, /content/delete.",
                "Filters use containerd's syntax on topic, namespace and event.<field>, e.g. 'topic~=\"^/snapshot/\"' "
                        + "or 'namespace==default,event.key==work'; an event is shown if any filter matches."})
final class EventsCommand implements Callable<Integer> {
    private static final Duration WAIT = Duration.ofSeconds(1);

    @Option(names = "--root", defaultValue = "${env:STRATA_ROOT:-/var/lib/strata}",
            description = "State directory whose events to show (default: ${DEFAULT-VALUE}).")
    Path root;
    @Option(names = {"--address", "-a"}, defaultValue = "${env:STRATA_ADDRESS}",
            description = "Subscribe to the Events service on this unix socket (a strata daemon or containerd) instead.")
    Path address;
    @Option(names = "--replay", description = "First show the events the root's journal still holds (not with --address).")
    boolean replay;
    @Option(names = "--count", paramLabel = "N", description = "Exit after N events.")
    Long count;
    @Option(names = "--json", description = "One JSON object per event, with its sequence number in the journal.")
    boolean json;
    @Parameters(paramLabel = "FILTER", arity = "0..*", description = "containerd event filters.")
    List<String> filters = List.of();
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (count != null && count < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1, was " + count);
        }
        var filter = Envelope.matching(filters.toArray(String[]::new));
        PrintWriter out = spec.commandLine().getOut();
        long[] left = {count == null ? Long.MAX_VALUE : count};
        if (address != null) {
            if (replay) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--replay reads a local root; it cannot be used with --address");
            }
            try (RemoteEvents remote = RemoteEvents.connect(address, null)) {
                remote.subscribe(e -> print(out, e) && --left[0] > 0, filters);
            }
            return 0;
        }
        try (EventJournal journal = EventJournal.openIn(root.toAbsolutePath());
             Subscription sub = journal.subscribe(replay ? 0 : journal.latest(), filter)) {
            while (left[0] > 0) {
                Optional<Envelope> e = sub.next(WAIT);
                if (e.isPresent()) {
                    print(out, e.get());
                    left[0]--;
                }
            }
        }
        return 0;
    }

    private boolean print(PrintWriter out, Envelope e) {
        if (json) {
            out.println(Json.envelope(e));
        } else {
            out.println(e.timestamp() + " " + e.namespace() + " " + e.topic() + " " + Json.event(e.event()));
        }
        out.flush();
        return true;
    }
}
