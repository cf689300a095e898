/**
 * Layers on a file system: applies an OCI layer tar onto a snapshot's directory and writes the diff
 * between two trees as a layer, with overlayfs's and OCI's whiteouts.
 */
module io.strata.archive {
    requires transitive io.strata.api;
    requires io.strata.fs;
    requires transitive io.strata.codec;

    exports io.strata.archive;
}
