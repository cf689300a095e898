/**
 * Test support shared by every module: the snapshotter conformance suite that runs against every
 * backend, tree builders, a local registry and fault injection.
 */
module io.strata.testkit {
    requires transitive io.strata.api;
    requires transitive org.junit.jupiter.api;
    requires transitive org.junit.jupiter.params;
    requires transitive org.assertj.core;
    requires io.strata.fs;
    requires jdk.httpserver;
    requires java.net.http;

    exports io.strata.testkit;
}
