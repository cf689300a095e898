package io.strata.oci;

import io.strata.api.InvalidArgumentException;
import io.strata.oci.json.Json;
import io.strata.oci.json.JsonObject;
import java.util.Map;

/**
 * A manifest or an index: the two documents a reference can point at. Parsing checks the shape
 * against the media type, so a document that lies about its type is refused.
 */
public sealed interface ImageDocument permits Manifest, Index {

    /** Largest manifest or index accepted (containerd's limit too). */
    int MAX_SIZE = 4 << 20;

    /** The document's media type. */
    String mediaType();

    /** Serializes the document (compact JSON, fields in spec order). */
    byte[] toJson();

    /**
     * Parses a manifest or index that a descriptor of {@code mediaType} pointed at.
     *
     * @throws InvalidArgumentException for schema 1, unknown media types, a {@code mediaType}
     *     field that disagrees with {@code mediaType}, a body of the wrong shape, or bad JSON
     */
    static ImageDocument parse(String mediaType, byte[] json) {
        if (json.length > MAX_SIZE) {
            throw new InvalidArgumentException("manifest of " + json.length + " bytes exceeds the " + MAX_SIZE + " byte limit");
        }
        String type = MediaTypes.base(mediaType);
        if (MediaTypes.isSchema1(type)) {
            throw MediaTypes.schema1Unsupported("manifest");
        }
        JsonObject o = JsonObject.of(type, Json.parse(json));
        if (o.optLong("schemaVersion").orElse(0L) == 1L) {
            throw MediaTypes.schema1Unsupported("manifest");
        }
        if (o.optLong("schemaVersion").orElse(0L) != 2L) {
            throw new InvalidArgumentException(type + ": schemaVersion must be 2");
        }
        String declared = o.optString("mediaType").orElse(type);
        if (!declared.equals(type)) {
            throw new InvalidArgumentException("document declares media type " + declared + " but was served as " + type);
        }
        if (MediaTypes.isManifest(type)) {
            if (o.has("manifests") || !o.has("config")) {
                throw new InvalidArgumentException("document served as manifest " + type + " is not a manifest");
            }
            return Manifest.fromJson(type, o);
        }
        if (MediaTypes.isIndex(type)) {
            if (o.has("config") || o.has("layers") || !o.map().containsKey("manifests")) {
                throw new InvalidArgumentException("document served as index " + type + " is not an index");
            }
            return Index.fromJson(type, o);
        }
        throw new InvalidArgumentException("unsupported manifest media type \"" + mediaType + "\"");
    }

    /** Reads the media type a document declares itself, or sniffs it from its shape (for {@code index.json}-less sources). */
    static String sniff(byte[] json) {
        Map<String, Object> m = Json.parseObject(json);
        JsonObject o = new JsonObject("document", m);
        if (o.optLong("schemaVersion").orElse(0L) == 1L) {
            throw MediaTypes.schema1Unsupported("manifest");
        }
        return o.optString("mediaType").orElseGet(() -> o.has("manifests") ? MediaTypes.OCI_INDEX
                : o.has("config") ? MediaTypes.OCI_MANIFEST : "");
    }
}
