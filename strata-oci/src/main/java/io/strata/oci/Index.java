package io.strata.oci;

import io.strata.api.InvalidArgumentException;
import io.strata.api.NotFoundException;
import io.strata.oci.json.Json;
import io.strata.oci.json.JsonObject;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI image index or a Docker manifest list: descriptors of manifests (usually one per
 * platform) or of nested indexes.
 *
 * @param mediaType   {@link MediaTypes#OCI_INDEX} or {@link MediaTypes#DOCKER_MANIFEST_LIST}
 * @param manifests   the entries, in document order
 * @param annotations annotations; empty for none
 */
public record Index(String mediaType, List<Descriptor> manifests, Map<String, String> annotations)
        implements ImageDocument {
    public Index {
        if (!MediaTypes.isIndex(mediaType)) {
            throw new InvalidArgumentException("not an index media type: " + mediaType);
        }
        manifests = List.copyOf(manifests);
        annotations = Map.copyOf(annotations);
    }

    /** Parses an index; see {@link ImageDocument#parse}. */
    public static Index parse(String mediaType, byte[] json) {
        if (ImageDocument.parse(mediaType, json) instanceof Index i) {
            return i;
        }
        throw new InvalidArgumentException("expected an index, got a manifest (" + mediaType + ")");
    }

    /**
     * The manifest entries whose platform {@code matcher} accepts, best first (stable for ties).
     * Entries without a platform match only {@link PlatformMatcher#all()}. Nested indexes are
     * returned as they are, when {@code matcher} is {@code all()}.
     *
     * @throws NotFoundException if nothing matches; the message lists the platforms available
     */
    public List<Descriptor> select(PlatformMatcher matcher) {
        boolean all = matcher instanceof PlatformMatcher.All;
        List<Descriptor> chosen = manifests.stream()
                .filter(d -> all || d.platform().map(matcher::matches).orElse(false))
                .sorted(Comparator.comparingInt(d -> d.platform().map(matcher::rank).orElse(0)))
                .toList();
        if (chosen.isEmpty()) {
            throw new NotFoundException("no manifest for the requested platform " + matcher.describe()
                    + "; the index has " + manifests.stream()
                    .map(d -> d.platform().map(Platform::toString).orElse("(no platform)")).toList());
        }
        return chosen;
    }

    static Index fromJson(String type, JsonObject o) {
        return new Index(type, o.list("manifests").stream()
                .map(d -> Descriptor.fromJson(JsonObject.of(type + ".manifests[]", d))).toList(),
                o.stringMap("annotations"));
    }

    @Override
    public byte[] toJson() {
        var m = new LinkedHashMap<String, Object>();
        m.put("schemaVersion", 2L);
        m.put("mediaType", mediaType);
        m.put("manifests", manifests.stream().map(Descriptor::toJson).toList());
        if (!annotations.isEmpty()) {
            m.put("annotations", new TreeMap<>(annotations));
        }
        return Json.writeBytes(m);
    }
}
