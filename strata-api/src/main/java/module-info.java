/**
 * Strata's snapshotter API: the {@link io.strata.api.Snapshotter} contract with containerd's
 * semantics, its values and its one sealed error hierarchy, and the filter language of
 * containerd's list calls. Everything else in Strata builds on this module; it needs only
 * {@code java.base}.
 */
module io.strata.api {
    exports io.strata.api;
    exports io.strata.api.filter;
}
