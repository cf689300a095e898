/**
 * The snapshot metastore: parent chains, kinds, labels and usage in SQLite, with the transactions
 * the backends run their file-system work inside. Internal to the backends.
 */
module io.strata.metastore {
    requires transitive io.strata.api;
    requires io.strata.sqlite;

    exports io.strata.metastore to io.strata.backend, io.strata.bench;
}
