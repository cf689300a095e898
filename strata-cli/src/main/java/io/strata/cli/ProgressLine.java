package io.strata.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One self-rewriting status line on a terminal for long work ("applying 120.5 MiB / 800.0 MiB
 * (15%) 210.3 MiB/s ETA 3s"); silent when stderr is not a terminal, so scripts and logs stay clean.
 */
final class ProgressLine implements AutoCloseable {
    private static final long PERIOD_NANOS = 200_000_000L;
    private final PrintStream err;
    private final String what;
    private final long total;
    private final AtomicLong done = new AtomicLong();
    private final long start = System.nanoTime();
    private final boolean enabled;
    private long lastPrint;

    ProgressLine(String what, long total) {
        this.err = System.err;
        this.what = what;
        this.total = total;
        this.enabled = System.console() != null && System.console().isTerminal();
    }

    /** Records progress; prints at most five times a second. */
    void update(long bytes) {
        done.set(bytes);
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastPrint >= PERIOD_NANOS) {
            lastPrint = now;
            err.print("\r" + line(now) + "\u001b[K");
            err.flush();
        }
    }

    private String line(long now) {
        double secs = Math.max((now - start) / 1e9, 1e-3);
        double rate = done.get() / secs;
        StringBuilder sb = new StringBuilder(what).append(' ').append(mib(done.get()));
        if (total > 0) {
            sb.append(" / ").append(mib(total)).append(String.format(Locale.ROOT, " (%d%%)", done.get() * 100 / total));
        }
        sb.append(' ').append(mib((long) rate)).append("/s");
        if (total > 0 && rate > 0) {
            sb.append(String.format(Locale.ROOT, " ETA %ds", (long) ((total - done.get()) / rate)));
        }
        return sb.toString();
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    @Override
    public void close() {
        if (enabled && lastPrint != 0) {
            err.print("\r\u001b[K");
            err.flush();
        }
    }
}
