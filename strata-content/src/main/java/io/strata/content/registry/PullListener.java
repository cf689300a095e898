package io.strata.content.registry;

import io.strata.oci.Descriptor;

/** Observes a pull's downloads; called from download threads, so implementations must be thread-safe. */
@FunctionalInterface
public interface PullListener {
    /** {@code bytes} of {@code total} of {@code blob} are in the store's ingest (total = descriptor size). */
    void progress(Descriptor blob, long bytes, long total);

    /** The blob is committed, or was already present. */
    default void done(Descriptor blob) {}

    /**
     * The image is resolved: these are its layers, in the manifest's order (the order an unpack
     * goes through them), before any of them is fetched.
     */
    default void planned(java.util.List<Descriptor> layers) {}

    /** Ignores everything. */
    static PullListener none() {
        return (b, n, t) -> { };
    }
}
