package io.strata.oci;

import io.strata.api.InvalidArgumentException;
import io.strata.oci.json.Json;
import io.strata.oci.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An image manifest (OCI or Docker v2 schema 2): one config and the layers, bottom first.
 *
 * @param mediaType   {@link MediaTypes#OCI_MANIFEST} or {@link MediaTypes#DOCKER_MANIFEST}
 * @param config      the image config
 * @param layers      layer blobs, base layer first; each a layer media type
 * @param annotations annotations; empty for none
 */
public record Manifest(String mediaType, Descriptor config, List<Descriptor> layers, Map<String, String> annotations)
        implements ImageDocument {
    public Manifest {
        if (!MediaTypes.isManifest(mediaType)) {
            throw new InvalidArgumentException("not a manifest media type: " + mediaType);
        }
        layers = List.copyOf(layers);
        annotations = Map.copyOf(annotations);
        for (Descriptor l : layers) {
            if (!MediaTypes.isLayer(l.mediaType())) {
                throw new InvalidArgumentException("manifest layer " + l.digest() + " has non-layer media type "
                        + l.mediaType() + " (a layer is an OCI or Docker tar, plain, gzip or zstd)");
            }
        }
    }

    /** Parses a manifest; see {@link ImageDocument#parse}. */
    public static Manifest parse(String mediaType, byte[] json) {
        if (ImageDocument.parse(mediaType, json) instanceof Manifest m) {
            return m;
        }
        throw new InvalidArgumentException("expected a manifest, got an index (" + mediaType + ")");
    }

    static Manifest fromJson(String type, JsonObject o) {
        Descriptor config = Descriptor.fromJson(o.object("config"));
        List<Descriptor> layers = o.list("layers").stream()
                .map(l -> Descriptor.fromJson(JsonObject.of(type + ".layers[]", l))).toList();
        return new Manifest(type, config, layers, o.stringMap("annotations"));
    }

    @Override
    public byte[] toJson() {
        var m = new LinkedHashMap<String, Object>();
        m.put("schemaVersion", 2L);
        m.put("mediaType", mediaType);
        m.put("config", config.toJson());
        m.put("layers", layers.stream().map(Descriptor::toJson).toList());
        if (!annotations.isEmpty()) {
            m.put("annotations", new TreeMap<>(annotations));
        }
        return Json.writeBytes(m);
    }
}
