/**
 * The OCI image model: descriptors, manifests, indexes, image configs, platforms, references,
 * digests and chain IDs, with their JSON form.
 */
module io.strata.oci {
    requires transitive io.strata.api;

    exports io.strata.oci;
    exports io.strata.oci.json to io.strata.content, io.strata.cli;
}
