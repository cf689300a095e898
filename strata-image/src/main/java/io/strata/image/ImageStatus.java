package io.strata.image;

import io.strata.api.NotFoundException;
import io.strata.content.ContentStore;
import io.strata.image.meta.ImageRecord;
import io.strata.image.unpack.Unpacker;
import io.strata.oci.Descriptor;
import io.strata.oci.ImageConfig;
import io.strata.oci.Index;
import io.strata.oci.Manifest;
import io.strata.oci.MediaTypes;
import io.strata.oci.PlatformMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code ctr images check} reports for one image and platform: which of the blobs it needs
 * are in the content store, and whether it is unpacked in a snapshotter. An image whose layers
 * were discarded after unpacking is incomplete and unpacked; one fetched without unpacking is
 * complete and not unpacked.
 *
 * @param image    the image record
 * @param needed   the blobs the platform's image needs: the target, the manifest, config and layers
 *                 (as far as they can be known: a missing manifest hides its config and layers)
 * @param missing  those of {@code needed} not in the store
 * @param unpacked whether every layer's chain ID is a committed snapshot in the snapshotter asked about
 */
public record ImageStatus(ImageRecord image, List<Descriptor> needed, List<Descriptor> missing, boolean unpacked) {
    public ImageStatus {
        needed = List.copyOf(needed);
        missing = List.copyOf(missing);
    }

    /** Whether every needed blob is present. */
    public boolean complete() {
        return missing.isEmpty();
    }

    /** Bytes of the needed blobs that are present. */
    public long presentBytes() {
        return needed.stream().filter(d -> !missing.contains(d)).mapToLong(Descriptor::size).sum();
    }

    /** Bytes of all needed blobs. */
    public long totalBytes() {
        return needed.stream().mapToLong(Descriptor::size).sum();
    }

    /**
     * Checks image {@code name} of namespace {@code ns} for {@code platforms} (the best match an
     * index offers) against the content store and {@code snapshotter}.
     *
     * @throws NotFoundException if there is no such image, or its index has no manifest for the platforms
     */
    public static ImageStatus of(Strata strata, String ns, String name, String snapshotter, PlatformMatcher platforms) {
        ImageRecord img = strata.image(ns, name);
        ContentStore content = strata.content();
        Descriptor target = Descriptor.of(img.mediaType(), img.digest(), img.size());
        List<Descriptor> needed = new ArrayList<>(List.of(target));
        List<Descriptor> missing = new ArrayList<>();
        if (content.info(target.digest()).isEmpty()) {
            return new ImageStatus(img, needed, needed, false);
        }
        Descriptor manifest = target;
        if (MediaTypes.isIndex(target.mediaType())) {
            manifest = Index.parse(target.mediaType(), content.readAll(target.digest())).select(platforms).getFirst();
            needed.add(manifest);
            if (content.info(manifest.digest()).isEmpty()) {
                return new ImageStatus(img, needed, List.of(manifest), false);
            }
        }
        Manifest m = Manifest.parse(manifest.mediaType(), content.readAll(manifest.digest()));
        needed.add(m.config());
        needed.addAll(m.layers());
        for (Descriptor d : needed) {
            if (content.info(d.digest()).isEmpty()) {
                missing.add(d);
            }
        }
        if (missing.contains(m.config())) {
            return new ImageStatus(img, needed, missing, false); // without its DiffIDs nothing says what is unpacked
        }
        List<String> diffIds = ImageConfig.parse(content.readAll(m.config().digest())).diffIds();
        boolean unpacked = !diffIds.isEmpty()
                && new Unpacker(strata.snapshotter(ns, snapshotter)).committedPrefix(diffIds) == diffIds.size();
        return new ImageStatus(img, needed, missing, unpacked);
    }
}
