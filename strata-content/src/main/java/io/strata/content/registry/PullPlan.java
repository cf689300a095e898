package io.strata.content.registry;

import io.strata.oci.Descriptor;
import io.strata.oci.ImageConfig;
import io.strata.oci.Platform;
import io.strata.oci.Reference;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Puller#plan} resolved and stored: the target, and per selected platform its
 * manifest, config and layers. Layers are listed before their bytes are fetched.
 *
 * @param reference the reference as resolved (pinned by digest)
 * @param target    the manifest or index the reference points at
 * @param images    one entry per selected platform, best match first
 */
public record PullPlan(Reference reference, Descriptor target, List<PlatformImage> images) {
    public PullPlan {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(target, "target");
        images = List.copyOf(images);
    }

    /** One platform's image. {@code layers} and {@code config.diffIds()} are in the same order, base first. */
    public record PlatformImage(Platform platform, Descriptor manifest, Descriptor configDescriptor,
                                ImageConfig config, List<Descriptor> layers) {
        public PlatformImage {
            layers = List.copyOf(layers);
        }
    }

    /**
     * {@link #layers()} less the bottom {@code unpacked} layers of {@code image}, whose chains are
     * committed already: a blob of those is kept only if a layer above them, or another platform's
     * image, needs it too.
     */
    public List<Descriptor> layersBeyond(PlatformImage image, int unpacked) {
        var needed = new java.util.HashSet<String>();
        image.layers().subList(unpacked, image.layers().size()).forEach(l -> needed.add(l.digest()));
        images.stream().filter(i -> i != image).forEach(i -> i.layers().forEach(l -> needed.add(l.digest())));
        return layers().stream().filter(l -> needed.contains(l.digest())).toList();
    }

    /** Every distinct layer of all images, in first-use order. */
    public List<Descriptor> layers() {
        var m = new LinkedHashMap<String, Descriptor>();
        images.forEach(i -> i.layers().forEach(l -> m.putIfAbsent(l.digest(), l)));
        return List.copyOf(m.values());
    }
}
