/**
 * containerd's event model: topics, envelopes, a durable journal and the decorator that publishes
 * what a snapshotter changed.
 */
module io.strata.events {
    requires transitive io.strata.api;
    requires io.strata.sqlite;

    exports io.strata.events;
}
