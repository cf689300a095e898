package io.strata.cli;

import io.strata.content.registry.PullListener;
import io.strata.image.unpack.Unpacker;
import io.strata.oci.Descriptor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A pull's or import's progress, as {@code ctr images pull} shows it: one row per blob with its
 * state (waiting, downloading with bytes and rate, done, exists, unpacking, unpacked) and a total
 * row. On a terminal the rows are redrawn in place ten times a second; on a pipe each blob gets one
 * plain line when it finishes; quiet shows nothing. Rows go to stderr, so stdout keeps the result.
 * Listener calls come from download and unpack threads; every method is thread-safe.
 */
final class PullProgress implements PullListener, Unpacker.Listener, AutoCloseable {
    /** How the progress is shown. */
    enum Mode {
        TERMINAL, LINES, QUIET;

        /** TERMINAL when the console is a terminal, else LINES; QUIET when asked. */
        static Mode of(boolean quiet) {
            if (quiet) {
                return QUIET;
            }
            return System.console() != null && System.console().isTerminal() ? TERMINAL : LINES;
        }
    }

    private enum State {
        WAITING("waiting"), DOWNLOADING("downloading"), DONE("done"), EXISTS("exists"), UNPACKING("unpacking"),
        UNPACKED("unpacked"), SKIPPED("exists");

        final String word;

        State(String word) {
            this.word = word;
        }
    }

    private static final class Row {
        final String label;
        State state = State.WAITING;
        long bytes;
        long total;
        long started;
        long finished;
        boolean fetched;

        Row(String label, long total) {
            this.label = label;
            this.total = total;
        }
    }

    private final String subject;
    private final Mode mode;
    private final PrintStream err;
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final List<String> layerOrder = new ArrayList<>();
    private final long start = System.nanoTime();
    private final ScheduledExecutorService ticker;
    private final ScheduledFuture<?> ticks;
    private int drawn;

    PullProgress(String subject, Mode mode, PrintStream err) {
        this.subject = subject;
        this.mode = mode;
        this.err = err;
        if (mode == Mode.TERMINAL) {
            ticker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("strata-progress").factory());
            ticks = ticker.scheduleAtFixedRate(this::draw, 100, 100, TimeUnit.MILLISECONDS);
        } else {
            ticker = null;
            ticks = null;
        }
    }

    @Override
    public synchronized void planned(List<Descriptor> layers) {
        for (Descriptor d : layers) {
            row(d);
            layerOrder.add(d.digest());
        }
    }

    @Override
    public synchronized void progress(Descriptor blob, long bytes, long total) {
        Row r = row(blob);
        if (!r.fetched) {
            r.fetched = true;
            r.started = System.nanoTime();
        }
        if (r.state == State.WAITING) {
            r.state = State.DOWNLOADING;
        }
        r.bytes = bytes;
        r.total = total;
    }

    @Override
    public synchronized void done(Descriptor blob) {
        Row r = row(blob);
        if (r.state == State.UNPACKING || r.state == State.UNPACKED) {
            r.bytes = r.total;
            return; // applied from the stream while it downloaded: the unpack reports it
        }
        r.state = r.fetched ? State.DONE : State.EXISTS;
        r.bytes = r.total;
        r.finished = System.nanoTime();
        if (mode == Mode.LINES) {
            err.println(line(r));
        }
    }

    @Override
    public synchronized void started(int index, String chainId) {
        Row r = layerRow(index);
        if (r.state != State.UNPACKED) {
            r.state = State.UNPACKING;
        }
    }

    @Override
    public synchronized void finished(int index, Unpacker.Outcome outcome) {
        Row r = layerRow(index);
        r.state = outcome.applied().isPresent() ? State.UNPACKED : State.SKIPPED;
        r.finished = System.nanoTime();
        if (mode == Mode.LINES) {
            err.println(line(r));
        }
    }

    private Row row(Descriptor d) {
        return rows.computeIfAbsent(d.digest(), k -> new Row(kind(d.mediaType()) + "-" + d.digest(), d.size()));
    }

    /** The row of the {@code index}th layer: the planned one, or for an import one of its own. */
    private Row layerRow(int index) {
        if (index < layerOrder.size()) {
            return rows.get(layerOrder.get(index));
        }
        return rows.computeIfAbsent("layer " + index, k -> new Row("layer " + index, 0));
    }

    static String kind(String mediaType) {
        if (mediaType.contains("index") || mediaType.contains("manifest.list")) {
            return "index";
        }
        if (mediaType.contains("manifest")) {
            return "manifest";
        }
        return mediaType.contains("config") ? "config" : "layer";
    }

    private String line(Row r) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-25s %-11s", shortLabel(r.label), r.state.word));
        if (r.fetched && r.bytes < r.total && (r.state == State.DOWNLOADING || r.state == State.UNPACKING)) {
            int width = 30;
            int filled = (int) Math.min(width, r.bytes * width / r.total);
            b.append(" |").append("+".repeat(filled)).append("-".repeat(width - filled)).append("| ")
                    .append(Table.human(r.bytes)).append('/').append(Table.human(r.total));
            double secs = (System.nanoTime() - r.started) / 1e9;
            if (secs > 0.05) {
                b.append("  ").append(Table.human((long) (r.bytes / secs))).append("/s");
            }
        } else if (r.total > 0 && r.state != State.WAITING) {
            b.append(' ').append(Table.human(r.total));
        }
        if (r.finished > 0 && r.started > 0) {
            b.append(String.format(Locale.ROOT, " in %.2f s", (r.finished - r.started) / 1e9));
        }
        return b.toString();
    }

    /** {@code layer-sha256:0123456789ab}: the kind and twelve hex digits, as short digests go. */
    private static String shortLabel(String label) {
        int colon = label.indexOf(':');
        return colon > 0 && label.length() > colon + 13 ? label.substring(0, colon + 13) : label;
    }

    private String totalLine() {
        long bytes = 0;
        for (Row r : rows.values()) {
            if (r.fetched) {
                bytes += r.bytes;
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        return String.format(Locale.ROOT, "%s  elapsed: %.1f s  total: %s (%s/s)", subject, secs, Table.human(bytes),
                Table.human((long) (bytes / Math.max(secs, 1e-3))));
    }

    private synchronized void draw() {
        StringBuilder frame = new StringBuilder();
        if (drawn > 0) {
            frame.append("\u001b[").append(drawn).append('A');
        }
        List<String> lines = new ArrayList<>();
        rows.values().forEach(r -> lines.add(line(r)));
        lines.add(totalLine());
        for (String l : lines) {
            frame.append('\r').append(l).append("\u001b[K\n");
        }
        drawn = lines.size();
        err.print(frame);
        err.flush();
    }

    /** Stops redrawing; on a terminal the last frame stays, on a pipe a total line ends the list. */
    @Override
    public void close() {
        if (ticker != null) {
            ticks.cancel(false);
            ticker.shutdown();
            try {
                ticker.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            draw();
        } else if (mode == Mode.LINES) {
            synchronized (this) {
                err.println(totalLine());
            }
        }
    }
}
