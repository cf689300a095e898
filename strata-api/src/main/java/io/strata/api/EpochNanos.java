package io.strata.api;

import java.time.Instant;

/** Instants as nanoseconds since the epoch, the form Strata stores times in (SQLite integers, stat times). */
public final class EpochNanos {
    private static final long PER_SECOND = 1_000_000_000L;

    private EpochNanos() {
    }

    /**
     * Nanoseconds since the epoch of {@code t}.
     *
     * @throws ArithmeticException if {@code t} is outside what a long of nanoseconds holds (about 1677 to 2262)
     */
    public static long of(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), PER_SECOND), t.getNano());
    }

    /** The instant {@code nanos} after the epoch (before it when negative). */
    public static Instant toInstant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, PER_SECOND), Math.floorMod(nanos, PER_SECOND));
    }
}
