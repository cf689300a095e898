package io.strata.grpc;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** Latency samples by operation, recorded by one thread and merged afterwards; reported, never asserted. */
final class Latencies {
    private final Map<String, Samples> byOp = new TreeMap<>();

    private static final class Samples {
        private long[] nanos = new long[256];
        private int size;

        void add(long n) {
            if (size == nanos.length) {
                nanos = Arrays.copyOf(nanos, size * 2);
            }
            nanos[size++] = n;
        }
    }

    void record(String op, long nanos) {
        byOp.computeIfAbsent(op, o -> new Samples()).add(nanos);
    }

    /** Adds every sample of {@code other} to this one. */
    void addAll(Latencies other) {
        other.byOp.forEach((op, s) -> {
            for (int i = 0; i < s.size; i++) {
                record(op, s.nanos[i]);
            }
        });
    }

    long count(String op) {
        Samples s = byOp.get(op);
        return s == null ? 0 : s.size;
    }

    /** One line per operation: count, p50, p99 and max in milliseconds. */
    String table() {
        StringBuilder out = new StringBuilder(String.format("%-10s %8s %9s %9s %9s%n", "op", "count", "p50 ms", "p99 ms", "max ms"));
        byOp.forEach((op, s) -> {
            long[] sorted = Arrays.copyOf(s.nanos, s.size);
            Arrays.sort(sorted);
            out.append(String.format("%-10s %8d %9.2f %9.2f %9.2f%n", op, sorted.length, ms(at(sorted, 0.50)),
                    ms(at(sorted, 0.99)), ms(sorted[sorted.length - 1])));
        });
        return out.toString();
    }

    private static long at(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
