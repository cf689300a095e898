package io.strata.grpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What this process holds at one moment: open file descriptors and the heap in use after a full
 * collection, for tests that check a server gives back what it took.
 */
record ProcessGauge(long fds, long heapBytes) {
    private static final long MIB = 1 << 20;

    /** Counts {@code /proc/self/fd} and the heap used after {@link System#gc()} (run a few times, so it settles). */
    static ProcessGauge now() {
        long fds;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return new ProcessGauge(fds, used);
    }

    long heapMiB() {
        return heapBytes / MIB;
    }

    @Override
    public String toString() {
        return fds + " fds, " + heapMiB() + " MiB heap";
    }
}
