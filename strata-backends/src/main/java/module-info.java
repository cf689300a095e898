/**
 * The snapshotter backends: overlayfs, native (copy or reflink) and block (loop-mounted ext4 or
 * xfs images), opened by name through {@link io.strata.backend.Backends}.
 */
module io.strata.backend {
    requires transitive io.strata.api;
    requires io.strata.fs;
    requires io.strata.metastore;

    exports io.strata.backend;
    exports io.strata.backend.overlay to io.strata.cli, io.strata.bench;
    exports io.strata.backend.block to io.strata.cli, io.strata.bench;
    exports io.strata.backend.nativefs to io.strata.cli, io.strata.bench;
}
