package io.strata.cli;

import io.strata.archive.ApplyResult;
import io.strata.archive.ApplyStages;
import io.strata.content.registry.PullListener;
import io.strata.image.unpack.Unpacker;
import io.strata.oci.Descriptor;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@code strata pull --timings} prints: the start-up before the command ran, the time to the
 * first layer byte, and per layer its download and each stage of its apply, then the syncfs and
 * the whole pull. Collects by listening to the pull and the unpack it wraps.
 */
final class PullTimings {
    private record Download(long first, long done, long bytes) {
    }

    private final long commandStart = System.nanoTime();
    /** From the launcher script's start to the JVM's, -1 when not started by the launcher. */
    private final long launcherNanos;
    /** From the JVM's start to this command's. */
    private final long jvmNanos;
    private final Map<String, Download> downloads = new ConcurrentHashMap<>();
    private final List<Unpacker.Outcome> layers = new ArrayList<>();
    private volatile long firstByte;
    private long syncNanos;

    PullTimings() {
        Instant now = Instant.now();
        Instant jvm = Instant.ofEpochMilli(java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime());
        jvmNanos = Math.max(0, Duration.between(jvm, now).toNanos());
        launcherNanos = launched().map(l -> Math.max(0, Duration.between(l, jvm).toNanos())).orElse(-1L);
    }

    /** When the launcher started: it exports bash's $EPOCHREALTIME (seconds.microseconds). */
    private static java.util.Optional<Instant> launched() {
        String t = System.getenv("STRATA_LAUNCH_TIME");
        if (t == null || !t.matches("[0-9]+[.,][0-9]{6}")) {
            return java.util.Optional.empty();
        }
        String[] p = t.split("[.,]");
        return java.util.Optional.of(Instant.ofEpochSecond(Long.parseLong(p[0]), Long.parseLong(p[1]) * 1000));
    }

    /** {@code inner}, with each blob's first byte and end noted. */
    PullListener listening(PullListener inner) {
        return new PullListener() {
            @Override
            public void progress(Descriptor blob, long bytes, long total) {
                long now = System.nanoTime();
                if (firstByte == 0 && bytes > 0 && isLayer(blob)) {
                    firstByte = now;
                }
                downloads.compute(blob.digest(), (d, old) -> old == null ? new Download(now, 0, bytes)
                        : new Download(old.first(), 0, bytes));
                inner.progress(blob, bytes, total);
            }

            @Override
            public void done(Descriptor blob) {
                long now = System.nanoTime();
                downloads.compute(blob.digest(), (d, old) -> old == null ? new Download(now, now, 0)
                        : new Download(old.first(), now, old.bytes()));
                inner.done(blob);
            }

            @Override
            public void planned(java.util.List<Descriptor> layers) {
                inner.planned(layers);
            }
        };
    }

    private static boolean isLayer(Descriptor blob) {
        return blob.mediaType().contains("layer");
    }

    /** {@code inner}, with each layer's outcome and the syncfs kept. */
    Unpacker.Listener listening(Unpacker.Listener inner) {
        return new Unpacker.Listener() {
            @Override
            public void started(int index, String chainId) {
                inner.started(index, chainId);
            }

            @Override
            public void finished(int index, Unpacker.Outcome outcome) {
                synchronized (PullTimings.this) {
                    layers.add(outcome);
                }
                inner.finished(index, outcome);
            }

            @Override
            public void synced(long nanos) {
                synchronized (PullTimings.this) {
                    syncNanos = nanos;
                }
                inner.synced(nanos);
            }
        };
    }

    /** Prints the report; call once the pull returned. */
    synchronized void print(PrintWriter out) {
        long end = System.nanoTime();
        out.println("timings (seconds)");
        if (launcherNanos >= 0) {
            out.printf(Locale.ROOT, "  %-34s %8.3f%n", "launcher script to JVM start", launcherNanos / 1e9);
        }
        out.printf(Locale.ROOT, "  %-34s %8.3f%n", "JVM start to command", jvmNanos / 1e9);
        if (firstByte > 0) {
            out.printf(Locale.ROOT, "  %-34s %8.3f%n", "command to first layer byte", (firstByte - commandStart) / 1e9);
        }
        ApplyStages sum = ApplyStages.NONE;
        for (int i = 0; i < layers.size(); i++) {
            Unpacker.Outcome o = layers.get(i);
            if (o.applied().isEmpty()) {
                out.printf(Locale.ROOT, "  layer %d %s: already unpacked%n", i, o.chainId().substring(7, 19));
                continue;
            }
            ApplyResult r = o.applied().get();
            Download d = downloads.get(r.digest());
            out.printf(Locale.ROOT, "  layer %d %s (%s, %.1f MB, %,d entries)%n", i, r.digest().substring(7, 19),
                    r.compression(), r.compressedSize() / 1e6, r.entries());
            if (d != null && d.done() > 0 && d.bytes() > 0) {
                out.printf(Locale.ROOT, "    %-32s %8.3f%n", "download", (d.done() - d.first()) / 1e9);
            }
            out.printf(Locale.ROOT, "    %-32s %8.3f%n", "prepare", o.steps().prepare() / 1e9);
            out.printf(Locale.ROOT, "    %-32s %8.3f%n", "apply (wall)", o.steps().apply() / 1e9);
            stages(out, "      ", r.stages());
            out.printf(Locale.ROOT, "    %-32s %8.3f%n", "commit", o.steps().commit() / 1e9);
            sum = sum.plus(r.stages());
        }
        if (syncNanos > 0) {
            out.printf(Locale.ROOT, "  %-34s %8.3f%n", "syncfs (once, before the commits)", syncNanos / 1e9);
        }
        if (layers.stream().filter(o -> o.applied().isPresent()).count() > 1) {
            out.println("  all layers");
            stages(out, "    ", sum);
        }
        out.printf(Locale.ROOT, "  %-34s %8.3f%n", "command total", (end - commandStart) / 1e9);
        out.flush();
    }

    private static void stages(PrintWriter out, String indent, ApplyStages s) {
        out.printf(Locale.ROOT, "%sreader: input %.3f  digest %.3f  inflate %.3f%n", indent,
                s.input() / 1e9, s.digest() / 1e9, s.inflate() / 1e9);
        out.printf(Locale.ROOT, "%swriter: parse %.3f  write %.3f  stall %.3f%n", indent,
                s.parse() / 1e9, s.write() / 1e9, s.stall() / 1e9);
    }
}
