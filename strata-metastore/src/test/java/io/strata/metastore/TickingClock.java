package io.strata.metastore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves forward by a fixed odd step on every reading, so that no two readings are equal. */
final class TickingClock extends Clock {
    static final Duration STEP = Duration.ofNanos(1_000_001);
    private Instant next;

    TickingClock(Instant start) {
        this.next = start;
    }

    /** The instant the next reading will return. */
    synchronized Instant peek() {
        return next;
    }

    @Override
    public synchronized Instant instant() {
        Instant now = next;
        next = next.plus(STEP);
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
