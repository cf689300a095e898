package io.strata.fs;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named points in the crash order where a test can make the process die, to prove that a crash
 * exactly there leaves a store that opens and is consistent. Off unless the JVM is started with
 * {@code -Dstrata.crash.at=<point>}; then the process halts ({@link Runtime#halt}: no shutdown
 * hooks, no finally blocks, as after SIGKILL) on reaching that point for the
 * ({@code strata.crash.after} + 1)-th time. Disarmed, a point costs one field read.
 *
 * <p>Points: {@code prepare.after-publish} (directory renamed to its id, record not committed),
 * {@code commit.after-seal} (data synced and measured, record still active),
 * {@code commit.after-record} (record committed, caller not yet told), {@code remove.after-record}
 * (record gone, directory not yet), {@code cleanup.mid} (between two orphans), {@code apply.mid-file}
 * (a layer's file half written), {@code prepare.mid-copy} (a parent's file copied up to a data
 * region into a new snapshot's temporary directory), and for the block backend
 * {@code prepare.template-mounted} (the scratch template formatted and mounted, not yet in place)
 * and {@code prepare.after-grow-file} (a new image's file grown, the ext4 inside it not yet).
 */
public final class CrashPoint {
    private static final String ARMED = System.getProperty("strata.crash.at", "");
    private static final int SKIP = Integer.getInteger("strata.crash.after", 0);
    private static final AtomicInteger HITS = new AtomicInteger();

    /** Exit status of a process halted at a crash point (as a shell reports SIGKILL). */
    public static final int STATUS = 137;

    private CrashPoint() {
    }

    /** Halts the process here if the test armed this point and its turn has come. */
    public static void reach(String point) {
        if (!ARMED.isEmpty() && ARMED.equals(point) && HITS.incrementAndGet() > SKIP) {
            Runtime.getRuntime().halt(STATUS);
        }
    }
}
