package io.strata.daemon;

import io.strata.api.ForwardingSnapshotter;
import io.strata.api.Snapshotter;
import io.strata.api.StrataException;
import io.strata.api.UnavailableException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A snapshotter that is still being opened: the daemon serves its socket first and opens its
 * backends in the background, so containerd's first call is answered as soon as the socket is
 * there. A call made before the backend is open waits for it (it does not fail); once open, calls
 * go straight through. If opening failed, every call fails with {@link UnavailableException}
 * naming the backend and the cause, and the daemon's other backends keep serving.
 *
 * <p>Thread-safe. {@link #close()} waits for the opening to finish, then closes what it opened.
 */
public final class DeferredSnapshotter extends ForwardingSnapshotter {
    private final String name;
    private final Set<String> capabilities;
    private final CompletableFuture<Snapshotter> opening;
    /** Set by whichever comes first: the opening task, or a close that finds it not started. */
    private final java.util.concurrent.atomic.AtomicBoolean claimed;

    private DeferredSnapshotter(String name, Set<String> capabilities, CompletableFuture<Snapshotter> opening,
                                java.util.concurrent.atomic.AtomicBoolean claimed) {
        this.name = name;
        this.capabilities = Set.copyOf(capabilities);
        this.opening = opening;
        this.claimed = claimed;
    }

    /**
     * Starts opening backend {@code name} with {@code open} on {@code executor}; until it is open,
     * {@link #capabilities()} answers {@code capabilities}, what the backend is known to have.
     */
    public static DeferredSnapshotter open(String name, Set<String> capabilities, Supplier<Snapshotter> open,
                                           Executor executor) {
        Objects.requireNonNull(open, "open");
        var claimed = new java.util.concurrent.atomic.AtomicBoolean();
        Supplier<Snapshotter> once = () -> {
            if (!claimed.compareAndSet(false, true)) {
                throw new UnavailableException("snapshotter " + name + " was closed before it opened");
            }
            return open.get();
        };
        return new DeferredSnapshotter(name, capabilities, CompletableFuture.supplyAsync(once, executor), claimed);
    }

    @Override
    public Set<String> capabilities() {
        return capabilities;
    }

    /** Waits until the backend is open (or has failed to open); returns whether it is open. */
    private boolean awaitOpen() {
        try {
            opening.join();
            return true;
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            return false;
        }
    }

    @Override
    protected Snapshotter delegate() {
        try {
            return opening.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UnavailableException u) {
                throw u;
            }
            String why = cause instanceof StrataException ? cause.getMessage() : String.valueOf(cause);
            throw new UnavailableException("snapshotter " + name + " could not be opened: " + why, cause);
        }
    }

    /**
     * Closes what was opened, waiting for an opening under way; an opening not started yet (its
     * executor may only run it later, or never) is called off instead.
     */
    @Override
    public void close() {
        if (claimed.compareAndSet(false, true)) {
            opening.completeExceptionally(new UnavailableException("snapshotter " + name + " was closed before it opened"));
            return;
        }
        if (awaitOpen()) {
            opening.join().close();
        }
    }

    @Override
    public String toString() {
        return "DeferredSnapshotter[" + name + (opening.isDone() ? "" : ", opening") + "]";
    }
}
