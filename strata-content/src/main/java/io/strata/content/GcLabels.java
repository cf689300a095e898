package io.strata.content;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * containerd's garbage-collection labels, and the ones Strata writes on the blobs of an image: the
 * same whether the image was pulled or imported, so that one collector follows both.
 */
public final class GcLabels {
    /** A blob or snapshot that is kept whatever references it. */
    public static final String ROOT = "containerd.io/gc.root";
    /** Prefix of a reference to a blob ({@code containerd.io/gc.ref.content.<anything>}). */
    public static final String REF_CONTENT = "containerd.io/gc.ref.content";
    /** Prefix of a reference to a snapshot, followed by the snapshotter's name. */
    public static final String REF_SNAPSHOT = "containerd.io/gc.ref.snapshot.";
    /** A lease label: an RFC 3339 time after which the lease protects nothing and GC removes it. */
    public static final String EXPIRE = "containerd.io/gc.expire";

    private GcLabels() {
    }

    /** An index's labels: {@code gc.ref.content.m.<i>} for each manifest digest it keeps, by position. */
    public static Map<String, String> index(Map<Integer, String> manifestsByPosition) {
        Map<String, String> labels = new LinkedHashMap<>();
        manifestsByPosition.forEach((i, digest) -> labels.put(REF_CONTENT + ".m." + i, digest));
        return labels;
    }

    /** A manifest's labels: {@code gc.ref.content.config}, and {@code gc.ref.content.l.<i>} for each layer. */
    public static Map<String, String> manifest(String configDigest, List<String> layerDigests) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(REF_CONTENT + ".config", configDigest);
        for (int i = 0; i < layerDigests.size(); i++) {
            labels.put(REF_CONTENT + ".l." + i, layerDigests.get(i));
        }
        return labels;
    }

    /** A config's label naming the top snapshot an image was unpacked to in {@code snapshotter}. */
    public static Map<String, String> unpacked(String snapshotter, String topSnapshot) {
        return Map.of(REF_SNAPSHOT + snapshotter, topSnapshot);
    }
}
