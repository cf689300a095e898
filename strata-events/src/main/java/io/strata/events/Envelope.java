package io.strata.events;

import io.strata.api.filter.Adaptor;
import io.strata.api.filter.Filter;
import io.strata.api.filter.Filters;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * An event as subscribers see it: containerd's {@code Envelope} (timestamp, namespace, topic,
 * event) plus the journal's sequence number, which orders all events of a state root.
 */
public record Envelope(long sequence, Instant timestamp, String namespace, String topic, Event event) {
    public Envelope {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(event, "event");
    }

    /**
     * The envelope's fields as containerd's event filters name them: {@code topic},
     * {@code namespace}, and {@code event.<field>} for the payload (for example {@code event.key},
     * {@code event.labels.<name>}).
     */
    public Adaptor adaptor() {
        return path -> switch (path.getFirst()) {
            case "topic" -> Optional.of(topic);
            case "namespace" -> Optional.of(namespace);
            case "event" -> path.size() < 2 ? Optional.empty()
                    : Optional.ofNullable(event.fields().get(String.join(".", path.subList(1, path.size()))));
            default -> Optional.empty();
        };
    }

    /**
     * A predicate accepting envelopes that match any of containerd's event {@code filters}
     * (everything when there are none), for example {@code topic~="^/snapshot/"} or
     * {@code namespace==default,event.key==foo}.
     *
     * @throws io.strata.api.InvalidArgumentException for a filter that does not parse
     */
    public static Predicate<Envelope> matching(String... filters) {
        Filter filter = Filters.parseAll(filters);
        return filter == Filter.ALWAYS ? e -> true : e -> filter.match(e.adaptor());
    }

    /** The same envelope with {@code sequence}. */
    Envelope withSequence(long seq) {
        return new Envelope(seq, timestamp, namespace, topic, event);
    }
}
