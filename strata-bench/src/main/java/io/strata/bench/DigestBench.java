package io.strata.bench;

import io.strata.codec.digest.Sha256;
import java.security.MessageDigest;
import java.util.Random;

/**
 * SHA-256 throughput as a pull pays it: the JDK's MessageDigest against libcrypto's through FFM
 * ({@link Sha256}), on the same 1 MiB chunks, first round (cold) and best of the rest. Run it
 * under the launcher's JVM flags and under the JVM's defaults (bench/digest-bench.sh does both).
 *
 * <p>{@code DigestBench [MiB per round] [rounds]}
 */
public final class DigestBench {
    private DigestBench() {
    }

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        byte[] chunk = new byte[1 << 20];
        new Random(1).nextBytes(chunk);
        System.out.printf("SHA-256 of %d MiB per round, %d rounds (MB/s: first round / best round)%n", mib, rounds);
        double[] jdk = measure(() -> MessageDigest.getInstance("SHA-256"), chunk, mib, rounds);
        double[] ffm = measure(Sha256::newDigest, chunk, mib, rounds);
        System.out.printf("  JDK MessageDigest      %7.0f / %7.0f%n", jdk[0], jdk[1]);
        System.out.printf("  libcrypto (FFM)        %7.0f / %7.0f   %s%n", ffm[0], ffm[1],
                Sha256.nativeUnavailable().map(w -> "(fell back: " + w + ")").orElse(""));
        System.out.printf("  libcrypto / JDK        %7.2fx / %6.2fx%n", ffm[0] / jdk[0], ffm[1] / jdk[1]);
    }

    private interface Factory {
        MessageDigest create() throws Exception;
    }

    private static double[] measure(Factory f, byte[] chunk, int mib, int rounds) throws Exception {
        double first = 0;
        double best = 0;
        for (int r = 0; r < rounds; r++) {
            MessageDigest md = f.create();
            long t0 = System.nanoTime();
            for (int i = 0; i < mib; i++) {
                md.update(chunk);
            }
            md.digest();
            double mbps = mib * (double) chunk.length / 1e6 / ((System.nanoTime() - t0) / 1e9);
            first = r == 0 ? mbps : first;
            best = Math.max(best, mbps);
        }
        return new double[] {first, best};
    }
}
