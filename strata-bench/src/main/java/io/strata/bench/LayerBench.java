package io.strata.bench;

import io.strata.archive.ApplyOptions;
import io.strata.archive.ApplyResult;
import io.strata.archive.DiffResult;
import io.strata.archive.Layers;
import io.strata.archive.Whiteouts;
import io.strata.codec.compress.Compression;
import io.strata.codec.compress.Decompression;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times Strata's layer apply (and diff) in process, for {@code bench/layer-bench.sh}, which times
 * the peers ({@code tar -x}, {@code gzip -dc | tar -x}, {@code pigz -dc | tar -x}) on the same
 * files and prints the ratios. Each run starts from an empty target with the page cache dropped
 * (the input is read cold); the first run is a warm-up and not counted. Prints one line per file:
 * {@code <file> <median seconds> <entries> <uncompressed bytes>}.
 *
 * <pre>
 * LayerBench apply --target DIR --reps N FILE...
 * LayerBench diff  --source DIR --reps N          (an extracted tree, as an overlay upper dir, to zstd)
 * </pre>
 */
public final class LayerBench {
    private LayerBench() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path dir = null;
        int reps = 3;
        List<Path> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--target", "--source" -> dir = Path.of(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                default -> files.add(Path.of(args[i]));
            }
        }
        System.err.println("gzip engine: " + Decompression.gzipEngine());
        if (mode.equals("apply")) {
            for (Path f : files) {
                apply(f, dir, reps);
            }
        } else {
            diff(dir, reps);
        }
    }

    private static void apply(Path file, Path target, int reps) throws Exception {
        double[] secs = new double[reps];
        ApplyResult last = null;
        for (int r = -1; r < reps; r++) {
            clean(target);
            dropCaches();
            long t0 = System.nanoTime();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
                last = Layers.applyTo(target, Whiteouts.DELETE, List.of(), in, ApplyOptions.DEFAULTS);
            }
            if (r >= 0) {
                secs[r] = (System.nanoTime() - t0) / 1e9;
            }
        }
        clean(target);
        System.out.printf(Locale.ROOT, "%s %.3f %d %d%n", file.getFileName(), median(secs), last.entries(), last.size());
    }

    private static void diff(Path source, int reps) throws Exception {
        double[] secs = new double[reps];
        DiffResult last = null;
        for (int r = -1; r < reps; r++) {
            dropCaches();
            long t0 = System.nanoTime();
            last = Layers.diffOverlayUpper(source, OutputStream.nullOutputStream(), Compression.ZSTD);
            if (r >= 0) {
                secs[r] = (System.nanoTime() - t0) / 1e9;
            }
        }
        System.out.printf(Locale.ROOT, "diff %.3f %d %d %d%n", median(secs), last.entries(), last.uncompressedSize(), last.size());
    }

    private static void clean(Path target) throws IOException, InterruptedException {
        if (Files.exists(target)) {
            // rm is faster than a Java walk and this is not the timed part.
            new ProcessBuilder("rm", "-rf", target.toString()).inheritIO().start().waitFor();
        }
        Files.createDirectories(target);
        new ProcessBuilder("sync").inheritIO().start().waitFor();
    }

    static void dropCaches() {
        try {
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
        } catch (IOException e) {
            // not root, or not allowed here: the input is then read warm
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
