package io.strata.content.registry;

import io.strata.oci.Descriptor;

/** Observes a pull's downloads; called from download threads, so implementations must be thread-safe. */
@FunctionalInterface
public interface PullListener {
    /** {@code bytes} of {@code total} of {@code blob} are in the store's ingest (total = descriptor size). */
    void progress(Descriptor blob, long bytes, long total);

    /** The blob is committed, or was already present. */
    default void done(Descriptor blob) {}

    /** Ignores everything. */
    static PullListener none() {
        return (b, n, t) -> { };
    }
}
