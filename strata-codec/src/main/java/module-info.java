/**
 * Strata's own tar/PAX codec and the layer compressions (gzip, zstd). No file system: it reads and
 * writes streams. The compressions are API (a layer's media type names one); the tar codec is
 * internal to the layer applier, the content importer and the CLI.
 */
module io.strata.codec {
    requires io.strata.api;
    requires com.github.luben.zstd_jni;

    exports io.strata.codec.tar to io.strata.archive, io.strata.content, io.strata.cli, io.strata.bench;
    exports io.strata.codec.compress;
    exports io.strata.codec.digest to io.strata.archive, io.strata.content, io.strata.bench;
}
