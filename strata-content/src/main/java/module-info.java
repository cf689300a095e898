/**
 * containerd's content store (blobs by digest, resumable ingests, labels), the OCI layout and
 * docker-save importer and the registry client that pulls into the store.
 */
module io.strata.content {
    requires transitive io.strata.oci;
    requires io.strata.codec;
    requires java.net.http;

    exports io.strata.content;
    exports io.strata.content.registry;
    exports io.strata.content.importer to io.strata.image, io.strata.cli;
}
