package io.strata.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds, summarised as percentiles. */
final class Latencies {
    private final long[] samples;
    private int n;

    Latencies(int capacity) {
        samples = new long[capacity];
    }

    synchronized void add(long nanos) {
        samples[n++] = nanos;
    }

    synchronized long percentile(double p) {
        if (n == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        int idx = (int) Math.ceil(p / 100.0 * n) - 1;
        return sorted[Math.max(0, Math.min(n - 1, idx))];
    }

    synchronized int count() {
        return n;
    }
}
