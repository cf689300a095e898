package io.strata.image;

import io.strata.content.ContentInfo;
import io.strata.content.ContentStore;
import io.strata.content.GcLabels;
import io.strata.oci.Descriptor;
import io.strata.oci.Index;
import io.strata.oci.Manifest;
import io.strata.oci.MediaTypes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The labels an image's blobs get in the content store: containerd's GC references, and layers' DiffIDs. */
final class ImageLabels {
    private static final String UNCOMPRESSED = "containerd.io/uncompressed";

    private final ContentStore content;

    ImageLabels(ContentStore content) {
        this.content = content;
    }

    /** The config keeps the unpacked chain alive while the image exists; layers learn their DiffIDs. */
    void unpacked(String configDigest, List<Descriptor> layers, List<String> diffIds, String snapshotter,
                               String top) {
        ContentInfo cfg = content.info(configDigest).orElseThrow();
        Map<String, String> labels = new LinkedHashMap<>(cfg.labels());
        labels.putAll(GcLabels.unpacked(snapshotter, top));
        content.updateLabels(cfg.digest(), labels);
        for (int i = 0; i < diffIds.size(); i++) {
            String digest = layers.get(i).digest();
            java.util.Optional<ContentInfo> stored = content.info(digest);
            if (stored.isEmpty()) {
                continue; // not fetched: its chain was unpacked already, and its blob discarded
            }
            ContentInfo li = stored.get();
            if (!diffIds.get(i).equals(li.labels().get(UNCOMPRESSED))) {
                Map<String, String> l = new LinkedHashMap<>(li.labels());
                l.put(UNCOMPRESSED, diffIds.get(i));
                content.updateLabels(digest, l);
            }
        }
    }

    /**
     * Drops the manifest's references to its layer blobs ({@code gc.ref.content.l.<i>}), so that
     * the next GC frees the blobs no other image, lease or root holds; the config reference stays,
     * and through the config's snapshot reference the unpacked chain. For an image whose layers are
     * all committed: containerd's {@code ChildGCLabelsFilterLayers} of a pull that discards them.
     */
    void discardLayers(String manifestDigest) {
        ContentInfo info = content.info(manifestDigest).orElseThrow();
        Map<String, String> labels = new LinkedHashMap<>(info.labels());
        if (labels.keySet().removeIf(k -> k.startsWith(GcLabels.REF_CONTENT + ".l."))) {
            content.updateLabels(manifestDigest, labels);
        }
    }

    /** Puts containerd's GC labels on an imported index/manifest tree (a pull's puller writes the same). */
    void tree(Descriptor d) {
        byte[] doc = content.readAll(d.digest());
        Map<String, String> labels = new LinkedHashMap<>(content.info(d.digest()).orElseThrow().labels());
        if (MediaTypes.isIndex(d.mediaType())) {
            List<Descriptor> children = Index.parse(d.mediaType(), doc).manifests();
            Map<Integer, String> kept = new LinkedHashMap<>();
            for (int i = 0; i < children.size(); i++) {
                if (content.info(children.get(i).digest()).isPresent()) {
                    kept.put(i, children.get(i).digest());
                    tree(children.get(i));
                }
            }
            labels.putAll(GcLabels.index(kept));
        } else if (MediaTypes.isManifest(d.mediaType())) {
            Manifest m = Manifest.parse(d.mediaType(), doc);
            labels.putAll(GcLabels.manifest(m.config().digest(), m.layers().stream().map(Descriptor::digest).toList()));
        }
        content.updateLabels(d.digest(), labels);
    }
}
