package io.strata.oci;

import io.strata.api.InvalidArgumentException;
import io.strata.oci.json.Json;
import io.strata.oci.json.JsonObject;
import java.util.List;

/**
 * The parts of an image config (OCI or Docker) that unpacking needs. The full JSON stays in the
 * content store; read it there for the rest (Env, Cmd, …).
 *
 * @param platform the platform the image was built for
 * @param diffIds  {@code rootfs.diff_ids}: sha256 of each <em>uncompressed</em> layer, base first
 */
public record ImageConfig(Platform platform, List<String> diffIds) {
    public ImageConfig {
        diffIds = List.copyOf(diffIds);
        diffIds.forEach(Digests::require);
    }

    /**
     * Parses a config blob.
     *
     * @throws InvalidArgumentException if it is not JSON, lacks os/architecture, or
     *     {@code rootfs.type} is not {@code layers}
     */
    public static ImageConfig parse(byte[] json) {
        JsonObject o = JsonObject.of("image config", Json.parse(json));
        JsonObject rootfs = o.object("rootfs");
        if (!rootfs.string("type").equals("layers")) {
            throw new InvalidArgumentException("image config: rootfs.type must be \"layers\", not \""
                    + rootfs.string("type") + "\"");
        }
        return new ImageConfig(new Platform(o.string("os"), o.string("architecture"), o.optString("variant").orElse("")),
                rootfs.strings("diff_ids"));
    }

    /** The chain IDs of this image's layers ({@link ChainIds#of}). */
    public List<String> chainIds() {
        return ChainIds.of(diffIds);
    }
}
