package io.strata.events;

import io.strata.api.UnavailableException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A reader of a journal's events in order, from a starting point on. Events this process appends
 * wake it at once; events other processes append are seen within {@code 50 ms}. Not thread-safe:
 * one consumer per subscription.
 */
public final class Subscription implements AutoCloseable {
    private static final int BATCH = 256;

    private final EventJournal journal;
    private final Predicate<Envelope> filter;
    private final ArrayDeque<Envelope> ready = new ArrayDeque<>();
    private long last;
    private volatile boolean closed;

    Subscription(EventJournal journal, long after, Predicate<Envelope> filter) {
        this.journal = journal;
        this.last = after;
        this.filter = filter;
    }

    /**
     * The next matching event, waiting up to {@code timeout} for one; empty if none came in time or
     * the subscription or its journal was closed.
     */
    public Optional<Envelope> next(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed) {
            if (ready.isEmpty()) {
                List<Envelope> batch;
                try {
                    batch = journal.read(last, BATCH);
                } catch (UnavailableException e) {
                    if (journal.isClosed()) {
                        return Optional.empty();
                    }
                    throw e;
                }
                for (Envelope e : batch) {
                    last = e.sequence();
                    if (filter.test(e)) {
                        ready.add(e);
                    }
                }
            }
            if (!ready.isEmpty()) {
                return Optional.of(ready.poll());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !journal.awaitAppend(Math.min(left, EventJournal.POLL_NANOS))) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The sequence number of the last event read (matching or not). */
    public long position() {
        return last;
    }

    /** Ends the subscription; a consumer waiting in {@link #next} returns within one poll. */
    @Override
    public void close() {
        closed = true;
    }
}
