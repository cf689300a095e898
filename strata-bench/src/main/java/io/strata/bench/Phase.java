package io.strata.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/** Runs {@code ops} operations spread over {@code threads} callers, timing each one. */
final class Phase {
    private Phase() {
    }

    /** Latencies and the throughput of one phase. */
    record Result(Latencies latencies, double opsPerSecond) {
    }

    static Result run(int threads, int ops, IntConsumer op) throws Exception {
        Latencies lat = new Latencies(ops);
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int tid = t;
                fs.add(pool.submit(() -> {
                    for (int i = tid; i < ops; i += threads) {
                        long s = System.nanoTime();
                        op.accept(i);
                        lat.add(System.nanoTime() - s);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        return new Result(lat, ops / ((System.nanoTime() - t0) / 1e9));
    }
}
