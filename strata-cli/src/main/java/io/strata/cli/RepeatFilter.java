package io.strata.cli;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Keeps a misbehaving client from flooding the log: grpc-netty logs a warning for every message it
 * refuses (one over the 16 MiB limit, a frame that does not parse), so a client sending them in a
 * loop would write a line per message. The same message (with the same parameters) from the same
 * logger passes at most once per window; the next one to pass after the window says how many were
 * held back.
 */
final class RepeatFilter implements Filter {
    static final long WINDOW_NANOS = 60_000_000_000L;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        volatile long start;
        final AtomicLong suppressed = new AtomicLong();

        Window(long start) {
            this.start = start;
        }
    }

    RepeatFilter() {
        this(System::nanoTime);
    }

    RepeatFilter(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public boolean isLoggable(LogRecord r) {
        String key = r.getLoggerName() + '\0' + r.getMessage() + '\0'
                + (r.getParameters() == null ? "" : java.util.Arrays.toString(r.getParameters()));
        long now = clock.getAsLong();
        Window w = windows.get(key);
        if (w == null) {
            if (windows.size() > 1000) {
                windows.clear(); // bounded: many distinct messages are not a flood of one
            }
            return windows.putIfAbsent(key, new Window(now)) == null || isLoggable(r);
        }
        synchronized (w) {
            if (now - w.start < WINDOW_NANOS) {
                w.suppressed.incrementAndGet();
                return false;
            }
            w.start = now;
            long held = w.suppressed.getAndSet(0);
            if (held > 0) {
                r.setMessage(r.getMessage() + " (" + held + " more like this in the last minute not logged)");
            }
            return true;
        }
    }
}
