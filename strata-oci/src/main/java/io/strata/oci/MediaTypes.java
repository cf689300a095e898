package io.strata.oci;

import io.strata.api.InvalidArgumentException;
import java.util.Set;

/** OCI and Docker v2 media types, and the checks that tell manifests, indexes and layers apart. */
public final class MediaTypes {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = OCI_LAYER + "+gzip";
    public static final String OCI_LAYER_ZSTD = OCI_LAYER + "+zstd";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_LAYER_GZIP = DOCKER_LAYER + ".gzip";
    public static final String DOCKER_SCHEMA1_MANIFEST = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /** What a registry client accepts for a manifest, best first (the order containerd sends). */
    public static final String ACCEPT = String.join(", ", DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST,
            OCI_INDEX, "*/*");

    private static final Set<String> MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
    private static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);
    private static final String OCI_LAYER_NONDISTRIBUTABLE = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    private static final String DOCKER_LAYER_FOREIGN = "application/vnd.docker.image.rootfs.foreign.diff.tar";
    private static final Set<String> LAYERS = Set.of(OCI_LAYER, OCI_LAYER_GZIP, OCI_LAYER_ZSTD,
            OCI_LAYER_NONDISTRIBUTABLE, OCI_LAYER_NONDISTRIBUTABLE + "+gzip", OCI_LAYER_NONDISTRIBUTABLE + "+zstd",
            DOCKER_LAYER, DOCKER_LAYER_GZIP, DOCKER_LAYER + ".zstd", DOCKER_LAYER_FOREIGN, DOCKER_LAYER_FOREIGN + ".gzip");

    private MediaTypes() {}

    /** Strips parameters ({@code ; charset=…}) and whitespace. */
    public static String base(String mediaType) {
        int semi = mediaType.indexOf(';');
        return (semi < 0 ? mediaType : mediaType.substring(0, semi)).strip();
    }

    public static boolean isManifest(String mediaType) {
        return MANIFESTS.contains(base(mediaType));
    }

    public static boolean isIndex(String mediaType) {
        return INDEXES.contains(base(mediaType));
    }

    public static boolean isSchema1(String mediaType) {
        String b = base(mediaType);
        return b.equals(DOCKER_SCHEMA1_MANIFEST) || b.equals(DOCKER_SCHEMA1_SIGNED);
    }

    public static boolean isConfig(String mediaType) {
        String b = base(mediaType);
        return b.equals(OCI_CONFIG) || b.equals(DOCKER_CONFIG);
    }

    /**
     * Layer types {@code io.strata.codec.compress.Compression.fromMediaType} accepts: OCI tar
     * layers (and non-distributable ones) bare, {@code +gzip} or {@code +zstd}; Docker
     * {@code rootfs.diff.tar} bare, {@code .gzip} or {@code .zstd}, and foreign {@code .gzip}.
     * Anything else ({@code +encrypted}, {@code +lz4}, …) is no layer an unpacker can apply.
     */
    public static boolean isLayer(String mediaType) {
        return LAYERS.contains(base(mediaType));
    }

    /** The error every reader gives for Docker schema 1. */
    public static InvalidArgumentException schema1Unsupported(String where) {
        return new InvalidArgumentException(where + ": Docker schema 1 manifests are not supported (deprecated since"
                + " 2019, removed from containerd 2.0); push the image again with a current client to convert it");
    }
}
