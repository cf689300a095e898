package io.strata.codec.compress;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Test inputs made on the spot, and the real gzip/zstd tools. */
final class CompressTestData {
    private CompressTestData() {}

    /** Bytes that compress like a layer does: runs of text, some repeats, some noise. */
    static byte[] layerLike(int size, long seed) {
        Random r = new Random(seed);
        byte[] out = new byte[size];
        String[] words = {"usr/", "lib/", "share/", "bin/", "strata ", "layer ", "\0\0\0\0", "0000644\0", "ELF", "\n"};
        int i = 0;
        while (i < size) {
            int kind = r.nextInt(10);
            if (kind < 6) {
                byte[] w = words[r.nextInt(words.length)].getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                for (int j = 0; j < w.length && i < size; j++) {
                    out[i++] = w[j];
                }
            } else if (kind < 8 && i > 300) {
                int dist = 1 + r.nextInt(Math.min(i, 30000));
                int len = 3 + r.nextInt(200);
                for (int j = 0; j < len && i < size; j++, i++) {
                    out[i] = out[i - dist];
                }
            } else {
                int len = 1 + r.nextInt(64);
                for (int j = 0; j < len && i < size; j++) {
                    out[i++] = (byte) r.nextInt();
                }
            }
        }
        return out;
    }

    static byte[] compress(Compression c, byte[] data) {
        return compress(c, data, c.defaultLevel());
    }

    static byte[] compress(Compression c, byte[] data, int level) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (OutputStream out = c.compressor(bytes, level)) {
                out.write(data);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Reads everything, in reads of {@code chunk} bytes (1 exercises read()). */
    static byte[] readAll(InputStream in, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (chunk == 1) {
            for (int b; (b = in.read()) >= 0; ) {
                out.write(b);
            }
            return out.toByteArray();
        }
        byte[] buf = new byte[chunk];
        for (int n; (n = in.read(buf, 0, chunk)) >= 0; ) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** A raw stream that hands out at most a few random bytes per read, as a slow network does. */
    static InputStream trickle(byte[] data, long seed) {
        Random r = new Random(seed);
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1 + r.nextInt(7)));
            }
        };
    }

    /** Runs {@code command} with {@code input} on stdin; returns stdout, fails on a non-zero exit. */
    static byte[] run(byte[] input, String... command) throws IOException, InterruptedException {
        Path in = Files.createTempFile("strata-compress", ".in");
        try {
            Files.write(in, input);
            Process p = new ProcessBuilder(command).redirectInput(in.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: exit " + p.exitValue());
            }
            return out;
        } finally {
            Files.deleteIfExists(in);
        }
    }

    /** Sizes around every buffer edge that matters: 512, the 32 KiB window, 64 KiB, the 256 KiB buffers. */
    static List<Integer> sizes() {
        List<Integer> sizes = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 511, 512, 513, 4096));
        for (int edge : new int[] {32 * 1024, 64 * 1024, Decompression.BUFFER_SIZE / 4, Decompression.BUFFER_SIZE,
                2 * Decompression.BUFFER_SIZE}) {
            sizes.addAll(List.of(edge - 1, edge, edge + 1));
        }
        sizes.add(5 * 1024 * 1024 + 17);
        return sizes;
    }
}
