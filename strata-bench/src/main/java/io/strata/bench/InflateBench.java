package io.strata.bench;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.strata.codec.compress.Compression;
import io.strata.codec.compress.Decompression;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

/**
 * Decompression throughput of every gzip inflater on this machine, and zstd, on the same inputs in
 * one run; MB/s of uncompressed output with ratios against {@code gzip -dc} and {@code pigz -dc}.
 * Inputs come from {@code bench/inflate-bench.sh}. Each figure is the median of {@code --reps}
 * timed runs after one untimed run; every run's output size is checked against the tar's.
 */
public final class InflateBench {
    private static final int MIB = 1 << 20;

    private record Input(String name, Path tar, Path gz, Path zst, long size) {}

    /** One way to decode an input; returns how many uncompressed bytes it produced. */
    private interface Decoder {
        long decode(Input in) throws Throwable;
    }

    private record Variant(String name, Decoder decoder) {}

    private InflateBench() {}

    public static void main(String[] args) throws Throwable {
        Path data = Path.of("/tmp/strata-inflate-bench");
        int reps = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Input> inputs = new ArrayList<>();
        for (String n : new String[] {"big", "small"}) {
            Path tar = data.resolve(n + ".tar");
            inputs.add(new Input(n, tar, data.resolve(n + ".tar.gz"), data.resolve(n + ".tar.zst"), Files.size(tar)));
        }
        System.out.printf("CPU: %s; JDK %s; gzip engine auto = %s%s%n", cpu(), Runtime.version(), Decompression.gzipEngine(),
                Decompression.isalUnavailable().map(w -> " (" + w + ")").orElse(""));
        for (Input in : inputs) {
            System.out.printf("%s.tar %,d bytes; .gz %,d (gzip -6); .zst %,d (zstd -3)%n", in.name, in.size,
                    Files.size(in.gz), Files.size(in.zst));
        }

        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("gzip -dc (GNU gzip 1.12)", in -> cli(in, "gzip", "-dc", in.gz.toString())));
        variants.add(new Variant("pigz -dc (2.6)", in -> cli(in, "pigz", "-dc", in.gz.toString())));
        for (int kib : new int[] {64, 256, 1024}) {
            variants.add(new Variant("Inflater heap, " + kib + " KiB bufs", in -> inflaterHeap(in, kib * 1024)));
        }
        variants.add(new Variant("Inflater direct, 256 KiB bufs", in -> inflaterDirect(in, 256 * 1024)));
        variants.add(new Variant("GZIPInputStream, 64 KiB reads", in -> drain(new GZIPInputStream(Files.newInputStream(in.gz), 65536))));
        variants.add(new Variant("Strata gzip, zlib engine", in -> strata(in.gz, "jdk")));
        variants.add(new Variant("Strata gzip, ISA-L engine (FFM)", in -> strata(in.gz, "isal")));
        variants.add(new Variant("libdeflate 1.14 whole buffer (FFM)", InflateBench::libdeflate));
        variants.add(new Variant("Strata gzip zlib + 2x SHA-256", in -> strataHashed(in.gz, "jdk")));
        variants.add(new Variant("Strata gzip ISA-L + 2x SHA-256", in -> strataHashed(in.gz, "isal")));
        variants.add(new Variant("ISA-L + 2x SHA-256, DiffID on 2nd thread", in -> strataPipelined(in.gz, "isal")));
        variants.add(new Variant("zstd -dc (1.5.4) on .zst", in -> cli(in, "zstd", "-q", "-dc", in.zst.toString())));
        variants.add(new Variant("Strata zstd (zstd-jni 1.5.7) on .zst", in -> strata(in.zst, "auto")));
        variants.add(new Variant("Strata zstd + 2x SHA-256 on .zst", in -> strataHashed(in.zst, "auto")));
        variants.add(new Variant("SHA-256 alone (MessageDigest) of .tar", InflateBench::sha256));

        Map<String, double[]> mbps = new LinkedHashMap<>();
        for (Variant v : variants) {
            double[] row = new double[inputs.size()];
            for (int i = 0; i < inputs.size(); i++) {
                row[i] = measure(v, inputs.get(i), reps);
            }
            mbps.put(v.name, row);
            System.out.printf("  measured %-38s %s%n", v.name, Arrays.toString(Arrays.stream(row).mapToLong(Math::round).toArray()));
        }
        printTable(inputs, mbps);
        compressLevels(inputs.getFirst());
    }

    private static double measure(Variant v, Input in, int reps) throws Throwable {
        check(v, in, v.decoder.decode(in)); // warm-up: JIT, page cache
        double[] rates = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            long n = v.decoder.decode(in);
            rates[r] = n / ((System.nanoTime() - t0) / 1e3); // bytes per µs = MB/s
            check(v, in, n);
        }
        Arrays.sort(rates);
        return rates[reps / 2];
    }

    private static void check(Variant v, Input in, long n) {
        if (n != in.size) {
            throw new IllegalStateException(v.name + " on " + in.name + " produced " + n + " bytes, expected " + in.size);
        }
    }

    private static void printTable(List<Input> inputs, Map<String, double[]> mbps) {
        double[] gzip = mbps.get("gzip -dc (GNU gzip 1.12)");
        double[] pigz = mbps.get("pigz -dc (2.6)");
        StringBuilder head = new StringBuilder(String.format("%n| %-38s |", "decoder"));
        StringBuilder rule = new StringBuilder("|" + "-".repeat(40) + "|");
        for (Input in : inputs) {
            head.append(String.format(" %s MB/s | vs gzip | vs pigz |", in.name));
            rule.append("---:|---:|---:|");
        }
        System.out.println(head);
        System.out.println(rule);
        mbps.forEach((name, row) -> {
            StringBuilder line = new StringBuilder(String.format("| %-38s |", name));
            for (int i = 0; i < row.length; i++) {
                line.append(String.format(" %,.0f | %.2f× | %.2f× |", row[i], row[i] / gzip[i], row[i] / pigz[i]));
            }
            System.out.println(line);
        });
        System.out.println("MB/s = 10^6 bytes of uncompressed output per second, median of the timed runs; "
                + "SHA-256 rows hash the compressed and the uncompressed bytes in the same pass.");
    }

    private static long cli(Input in, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue());
        }
        return in.size; // the tools check the CRC/checksum themselves and exit non-zero on a mismatch
    }

    private static long drain(InputStream in) throws IOException {
        try (in) {
            byte[] buf = new byte[MIB];
            long total = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
            return total;
        }
    }

    private static long strata(Path blob, String engine) throws IOException {
        System.setProperty(Decompression.ENGINE_PROPERTY, engine);
        return drain(Decompression.open(Files.newInputStream(blob)));
    }

    /** What the applier does: the compressed digest over the raw stream, the DiffID over the output. */
    private static long strataHashed(Path blob, String engine) throws Exception {
        System.setProperty(Decompression.ENGINE_PROPERTY, engine);
        MessageDigest compressed = MessageDigest.getInstance("SHA-256");
        MessageDigest diffId = MessageDigest.getInstance("SHA-256");
        long n = drain(new DigestInputStream(Decompression.open(new DigestInputStream(Files.newInputStream(blob), compressed)), diffId));
        compressed.digest();
        diffId.digest();
        return n;
    }

    /**
     * The same work on two threads: a reader decodes (and hashes the compressed side) into 1 MiB
     * buffers, the caller hashes the uncompressed side. What an applier on 2 cores can do.
     */
    private static long strataPipelined(Path blob, String engine) throws Exception {
        System.setProperty(Decompression.ENGINE_PROPERTY, engine);
        java.util.concurrent.BlockingQueue<byte[]> full = new java.util.concurrent.ArrayBlockingQueue<>(4);
        java.util.concurrent.BlockingQueue<byte[]> empty = new java.util.concurrent.ArrayBlockingQueue<>(6);
        for (int i = 0; i < 6; i++) {
            empty.add(new byte[MIB]);
        }
        byte[] end = new byte[0];
        MessageDigest compressed = MessageDigest.getInstance("SHA-256");
        try (var pool = java.util.concurrent.Executors.newSingleThreadExecutor()) {
            var reader = pool.submit(() -> {
                try (InputStream in = Decompression.open(new DigestInputStream(Files.newInputStream(blob), compressed))) {
                    while (true) {
                        byte[] buf = empty.take();
                        int n = in.readNBytes(buf, 0, buf.length);
                        if (n < buf.length) {
                            full.put(Arrays.copyOf(buf, n));
                            full.put(end);
                            return null;
                        }
                        full.put(buf);
                    }
                }
            });
            MessageDigest diffId = MessageDigest.getInstance("SHA-256");
            long total = 0;
            for (byte[] buf; (buf = full.take()) != end; ) {
                diffId.update(buf);
                total += buf.length;
                if (buf.length == MIB) {
                    empty.put(buf);
                }
            }
            reader.get();
            diffId.digest();
            compressed.digest();
            return total;
        }
    }

    private static long sha256(Input in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream s = Files.newInputStream(in.tar)) {
            byte[] buf = new byte[256 * 1024];
            long total = 0;
            for (int n; (n = s.read(buf)) >= 0; ) {
                md.update(buf, 0, n);
                total += n;
            }
            md.digest();
            return total;
        }
    }

    /** Raw inflate of a single-member {@code gzip -n} file (10-byte header), heap arrays, no CRC. */
    private static long inflaterHeap(Input in, int bufSize) throws Exception {
        Inflater inf = new Inflater(true);
        try (InputStream s = Files.newInputStream(in.gz)) {
            s.readNBytes(10);
            byte[] inBuf = new byte[bufSize];
            byte[] out = new byte[bufSize];
            long total = 0;
            while (!inf.finished()) {
                if (inf.needsInput()) {
                    int n = s.read(inBuf);
                    if (n < 0) {
                        throw new IOException("truncated");
                    }
                    inf.setInput(inBuf, 0, n);
                }
                total += inf.inflate(out);
            }
            return total;
        } finally {
            inf.end();
        }
    }

    private static long inflaterDirect(Input in, int bufSize) throws Exception {
        Inflater inf = new Inflater(true);
        try (FileChannel ch = FileChannel.open(in.gz, StandardOpenOption.READ)) {
            ch.position(10);
            ByteBuffer inBuf = ByteBuffer.allocateDirect(bufSize);
            ByteBuffer out = ByteBuffer.allocateDirect(bufSize);
            long total = 0;
            while (!inf.finished()) {
                if (inf.needsInput()) {
                    inBuf.clear();
                    if (ch.read(inBuf) < 0) {
                        throw new IOException("truncated");
                    }
                    inBuf.flip();
                    inf.setInput(inBuf);
                }
                out.clear();
                total += inf.inflate(out);
            }
            return total;
        } finally {
            inf.end();
        }
    }

    private static MethodHandle ldAlloc;
    private static MethodHandle ldDecompress;
    private static MethodHandle ldFree;

    /**
     * libdeflate cannot stream: it needs the whole member in memory and an output buffer as large
     * as the result (here the ISIZE trailer). Timed from the file read to the end of decoding.
     */
    @SuppressWarnings("restricted")
    private static long libdeflate(Input in) throws Throwable {
        if (ldAlloc == null) {
            Linker linker = Linker.nativeLinker();
            SymbolLookup lib = SymbolLookup.libraryLookup("libdeflate.so.0", Arena.global());
            ldAlloc = linker.downcallHandle(lib.findOrThrow("libdeflate_alloc_decompressor"), FunctionDescriptor.of(ADDRESS));
            ldFree = linker.downcallHandle(lib.findOrThrow("libdeflate_free_decompressor"), FunctionDescriptor.ofVoid(ADDRESS));
            ldDecompress = linker.downcallHandle(lib.findOrThrow("libdeflate_gzip_decompress_ex"),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
        }
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(in.gz, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment src = arena.allocate(size, 64);
            ByteBuffer view = src.asByteBuffer();
            while (view.hasRemaining() && ch.read(view) >= 0) {
                // read the whole blob
            }
            long isize = Integer.toUnsignedLong(src.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getInt((int) (size - 4)));
            MemorySegment dst = arena.allocate(Math.max(1, isize), 64);
            MemorySegment inUsed = arena.allocate(JAVA_LONG);
            MemorySegment outUsed = arena.allocate(JAVA_LONG);
            MemorySegment d = (MemorySegment) ldAlloc.invokeExact();
            try {
                int ret = (int) ldDecompress.invokeExact(d, src, size, dst, isize, inUsed, outUsed);
                if (ret != 0 || inUsed.get(JAVA_LONG, 0) != size) {
                    throw new IOException("libdeflate_gzip_decompress_ex returned " + ret);
                }
                return outUsed.get(JAVA_LONG, 0);
            } finally {
                ldFree.invokeExact(d);
            }
        }
    }

    /** Compress speed and size of the levels worth choosing, on the first 256 MiB of the big tar. */
    private static void compressLevels(Input in) throws IOException {
        byte[] sample;
        try (InputStream s = Files.newInputStream(in.tar)) {
            sample = s.readNBytes(256 * MIB);
        }
        System.out.printf("%nCompressing the first %,d bytes of %s.tar (one run each):%n", sample.length, in.name);
        System.out.println("| compressor | level | MB/s in | size | % of input |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Compression c : new Compression[] {Compression.GZIP, Compression.ZSTD}) {
            int[] levels = c == Compression.GZIP ? new int[] {1, 6, 9} : new int[] {1, 3, 9};
            for (int level : levels) {
                long[] count = {0};
                OutputStream sink = new OutputStream() {
                    @Override
                    public void write(int b) {
                        count[0]++;
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        count[0] += len;
                    }
                };
                long t0 = System.nanoTime();
                try (OutputStream out = c.compressor(sink, level)) {
                    out.write(sample);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf("| Strata %s | %d | %.0f | %,d | %.1f%% |%n", c, level, sample.length / secs / 1e6, count[0],
                        100.0 * count[0] / sample.length);
            }
        }
    }

    private static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?")
                    + ", " + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (IOException e) {
            return "?";
        }
    }
}
