package io.strata.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SIGTERM and SIGINT for a server: each starts {@code stop} on a thread of its own and lets the
 * main thread return normally, so the process exits 0 (a supervisor sees a clean stop, not 143).
 */
final class Signals {
    private Signals() {
    }

    /** Installs the handlers; returns the previous ones, to put back once stopped. */
    static Map<sun.misc.Signal, sun.misc.SignalHandler> onTermination(Runnable stop) {
        Map<sun.misc.Signal, sun.misc.SignalHandler> previous = new LinkedHashMap<>();
        for (String signal : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal sig = new sun.misc.Signal(signal);
                previous.put(sig, sun.misc.Signal.handle(sig, x -> Thread.ofPlatform().name("strata-signal").start(stop)));
            } catch (IllegalArgumentException unsupported) {
                // this JVM reserves the signal: the shutdown hook still drains
            }
        }
        return previous;
    }
}
