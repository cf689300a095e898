/** Benchmarks of snapshot operations, printed side by side with a peer. Not an API. */
module io.strata.bench {
    requires io.strata.backend;
    requires io.strata.metastore;
    requires io.strata.events;
    requires io.strata.grpc;
    requires io.strata.archive;
    requires io.strata.codec;
    requires io.strata.fs;
}
