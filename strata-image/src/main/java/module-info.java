/**
 * Images on snapshots: {@link io.strata.image.Strata} pulls or imports an image, unpacks its layers
 * into snapshots, records it in containerd's image metadata and collects garbage.
 */
module io.strata.image {
    requires transitive io.strata.api;
    requires transitive io.strata.content;
    requires transitive io.strata.events;
    requires io.strata.sqlite;
    requires io.strata.service;
    requires transitive io.strata.archive;
    requires io.strata.backend;

    exports io.strata.image;
    exports io.strata.image.meta;
    exports io.strata.image.gc;
    exports io.strata.image.unpack;
    exports io.strata.image.diff;
}
