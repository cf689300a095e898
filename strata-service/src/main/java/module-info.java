/**
 * The snapshot service: one state root's backends handed out by name as namespaced,
 * event-publishing snapshotters. The daemon, the CLI and the image service all go through it.
 */
module io.strata.service {
    requires transitive io.strata.api;
    requires transitive io.strata.events;

    exports io.strata.service;
}
