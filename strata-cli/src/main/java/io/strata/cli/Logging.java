package io.strata.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Structured, quiet-by-default logs: one {@code key=value} line per event on stderr
 * ({@code time=… level=… logger=… msg="…"}), warnings and errors only unless asked for more.
 * Library code logs through {@link System.Logger}, which lands here. A line repeated in a loop
 * (a client flooding the daemon with refused messages) is written once a minute ({@link RepeatFilter}).
 */
final class Logging {
    private Logging() {
    }

    /** Sets the level: {@code debug}, {@code info}, {@code warn} or {@code error}. */
    static void configure(String level, PrintStream err) {
        Level l = switch (level.toLowerCase(Locale.ROOT)) {
            case "debug", "trace" -> Level.FINE;
            case "info" -> Level.INFO;
            case "warn", "warning" -> Level.WARNING;
            case "error" -> Level.SEVERE;
            default -> throw new io.strata.api.InvalidArgumentException(
                    "unknown log level \"" + level + "\" (want debug, info, warn or error)");
        };
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(l);
        Handler h = new StreamHandler(err, new KeyValueFormatter()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        h.setLevel(l);
        h.setFilter(new RepeatFilter());
        root.addHandler(h);
        // Netty and gRPC are chatty at INFO; they speak up only for real problems.
        Logger.getLogger("io.netty").setLevel(Level.WARNING);
        Logger.getLogger("io.grpc").setLevel(l.intValue() <= Level.FINE.intValue() ? Level.INFO : Level.WARNING);
    }

    static final class KeyValueFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder b = new StringBuilder(160);
            b.append("time=").append(Instant.ofEpochMilli(r.getMillis()))
                    .append(" level=").append(levelName(r.getLevel()))
                    .append(" logger=").append(r.getLoggerName())
                    .append(" msg=").append(quote(formatMessage(r)));
            if (r.getThrown() != null) {
                b.append(" error=").append(quote(r.getThrown().toString()));
            }
            return b.append('\n').toString();
        }

        private static String levelName(Level l) {
            if (l.intValue() >= Level.SEVERE.intValue()) {
                return "error";
            }
            if (l.intValue() >= Level.WARNING.intValue()) {
                return "warn";
            }
            return l.intValue() >= Level.INFO.intValue() ? "info" : "debug";
        }

        private static String quote(String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
        }
    }
}
