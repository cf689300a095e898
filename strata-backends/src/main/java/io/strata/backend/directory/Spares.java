package io.strata.backend.directory;

import io.strata.api.Kind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Snapshot directories made ahead of time, so that a prepare does not wait for the two or three
 * mkdirs of its skeleton (each one costs 100–200 µs on ext4 here, most of a prepare). One background
 * thread keeps {@link #TARGET} ready per kind; a take that finds none just returns null and the
 * caller builds its own. Ready directories are in flight in {@link SnapshotDirs}, so cleanup never
 * takes them; after a crash they are ordinary orphans.
 */
final class Spares implements AutoCloseable {
    static final int TARGET = 2;

    /** Builds the parent-independent skeleton of a new snapshot of a kind. */
    interface Builder {
        Path build(Kind kind) throws IOException;
    }

    private final SnapshotDirs dirs;
    private final Builder builder;
    private final Map<Kind, ConcurrentLinkedQueue<Path>> ready = new EnumMap<>(Kind.class);
    private final Map<Kind, AtomicInteger> pending = new EnumMap<>(Kind.class);
    private final ExecutorService filler = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("strata-spares").factory());
    private volatile boolean closed;

    Spares(SnapshotDirs dirs, Builder builder) {
        this.dirs = dirs;
        this.builder = builder;
        for (Kind k : new Kind[] {Kind.ACTIVE, Kind.VIEW}) {
            ready.put(k, new ConcurrentLinkedQueue<>());
            pending.put(k, new AtomicInteger());
        }
    }

    /** A ready directory for a snapshot of this kind, or null; asks for a replacement either way. */
    Path take(Kind kind) {
        Path p = ready.get(kind).poll();
        refill(kind);
        return p;
    }

    private void refill(Kind kind) {
        if (closed || ready.get(kind).size() + pending.get(kind).get() >= TARGET) {
            return;
        }
        pending.get(kind).incrementAndGet();
        try {
            filler.execute(() -> {
                try {
                    if (!closed) {
                        ready.get(kind).add(builder.build(kind));
                    }
                } catch (IOException | RuntimeException e) {
                    // No spare this time; prepares build their own. Nothing is lost.
                } finally {
                    pending.get(kind).decrementAndGet();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            pending.get(kind).decrementAndGet();
        }
    }

    @Override
    public void close() {
        closed = true;
        filler.shutdown();
        try {
            filler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (var q : ready.values()) {
            for (Path p = q.poll(); p != null; p = q.poll()) {
                dirs.discard(p);
            }
        }
    }
}
