package io.strata.oci;

import io.strata.api.InvalidArgumentException;
import io.strata.oci.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An OCI content descriptor: what a blob is, where to find it and how big it must be.
 *
 * @param mediaType   non-empty media type
 * @param digest      {@code sha256:…}
 * @param size        exact size in bytes, ≥ 0
 * @param annotations annotations; empty for none
 * @param platform    the platform, for entries of an index
 * @param urls        alternative download URLs (foreign layers); empty for none
 */
public record Descriptor(String mediaType, String digest, long size, Map<String, String> annotations,
                         Optional<Platform> platform, List<String> urls) {

    /** The OCI annotation that names an image in an OCI layout's {@code index.json}. */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    /** containerd's annotation with the full image name in {@code index.json}. */
    public static final String CONTAINERD_IMAGE_NAME = "io.containerd.image.name";

    public Descriptor {
        Objects.requireNonNull(mediaType, "mediaType");
        if (mediaType.isBlank()) {
            throw new InvalidArgumentException("descriptor of " + digest + " has no media type");
        }
        Digests.require(digest);
        if (size < 0) {
            throw new InvalidArgumentException("descriptor of " + digest + " has negative size " + size);
        }
        annotations = Map.copyOf(annotations);
        Objects.requireNonNull(platform, "platform");
        urls = List.copyOf(urls);
    }

    /** A descriptor with no annotations, platform or URLs. */
    public static Descriptor of(String mediaType, String digest, long size) {
        return new Descriptor(mediaType, digest, size, Map.of(), Optional.empty(), List.of());
    }

    /** This descriptor with {@code platform} set. */
    public Descriptor withPlatform(Platform p) {
        return new Descriptor(mediaType, digest, size, annotations, Optional.of(p), urls);
    }

    /** This descriptor with one more annotation. */
    public Descriptor withAnnotation(String key, String value) {
        var a = new TreeMap<>(annotations);
        a.put(key, value);
        return new Descriptor(mediaType, digest, size, a, platform, urls);
    }

    static Descriptor fromJson(JsonObject o) {
        Optional<Platform> p = o.optObject("platform").map(po ->
                new Platform(po.string("os"), po.string("architecture"), po.optString("variant").orElse("")));
        return new Descriptor(o.string("mediaType"), o.string("digest"), o.longValue("size"), o.stringMap("annotations"),
                p, o.strings("urls"));
    }

    Map<String, Object> toJson() {
        var m = new LinkedHashMap<String, Object>();
        m.put("mediaType", mediaType);
        m.put("digest", digest);
        m.put("size", size);
        if (!urls.isEmpty()) {
            m.put("urls", urls);
        }
        if (!annotations.isEmpty()) {
            m.put("annotations", new TreeMap<>(annotations));
        }
        platform.ifPresent(p -> {
            var pm = new LinkedHashMap<String, Object>();
            pm.put("architecture", p.architecture());
            pm.put("os", p.os());
            if (!p.variant().isEmpty()) {
                pm.put("variant", p.variant());
            }
            m.put("platform", pm);
        });
        return m;
    }
}
