package io.strata.image;

import io.strata.api.NotFoundException;
import io.strata.content.ContentStore;
import io.strata.oci.Descriptor;
import io.strata.oci.ImageConfig;
import io.strata.oci.Index;
import io.strata.oci.Manifest;
import io.strata.oci.MediaTypes;
import io.strata.oci.Platform;
import io.strata.oci.PlatformMatcher;
import java.util.Optional;

/** The manifest and config an image's descriptor leads to for a platform, read from the content store. */
record ResolvedImage(Descriptor manifestDescriptor, Manifest manifest, ImageConfig config) {

    /**
     * Follows {@code d} (an index or a manifest) to the manifest of the best stored match for
     * {@code platforms}.
     *
     * @throws NotFoundException if no manifest for those platforms was stored, naming the ones that were
     */
    static ResolvedImage of(ContentStore content, String name, Descriptor d, PlatformMatcher platforms) {
        byte[] doc = content.readAll(d.digest());
        if (MediaTypes.isIndex(d.mediaType())) {
            Index index = Index.parse(d.mediaType(), doc);
            // A pull stores only the manifests of the platforms it was asked for.
            Optional<Descriptor> pulled = index.select(platforms).stream()
                    .filter(m -> content.info(m.digest()).isPresent()).findFirst();
            if (pulled.isEmpty()) {
                throw new NotFoundException("image \"" + name + "\": the manifest for " + platforms.describe()
                        + " was not pulled (pulled: " + index.manifests().stream()
                        .filter(m -> content.info(m.digest()).isPresent())
                        .map(m -> m.platform().map(Platform::toString).orElse("(no platform)")).toList()
                        + "); pull the image for that platform first");
            }
            return of(content, name, pulled.get(), platforms);
        }
        Manifest m = Manifest.parse(d.mediaType(), doc);
        return new ResolvedImage(d, m, ImageConfig.parse(content.readAll(m.config().digest())));
    }
}
