package io.strata.events;

/**
 * Where code that changes state reports what it did. Publishing never fails the change it reports:
 * an implementation that cannot record an event logs it and returns.
 */
@FunctionalInterface
public interface Publisher {
    /** Drops every event: for code run without a journal. */
    Publisher NONE = (namespace, event) -> { };

    /** Publishes {@code event} in {@code namespace} on the event's own topic. */
    void publish(String namespace, Event event);
}
