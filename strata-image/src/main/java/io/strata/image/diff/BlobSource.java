package io.strata.image.diff;

import io.strata.oci.Descriptor;
import java.io.InputStream;
import java.util.Optional;

/** Where a layer's compressed bytes are read from: containerd's content store, one way or another. */
public interface BlobSource {
    /**
     * Opens the blob {@code layer} describes. The stream gives the blob's bytes as stored; the
     * caller verifies digest and size while reading and closes it.
     *
     * @param namespace the containerd namespace of the request, when the caller sent one
     * @throws io.strata.api.NotFoundException       if the store does not hold the blob
     * @throws io.strata.api.InvalidArgumentException if the stored blob's size is not the descriptor's
     * @throws io.strata.api.UnavailableException     if the store cannot be reached
     */
    InputStream open(Descriptor layer, Optional<String> namespace);

    /** What this source is, for error messages ("containerd's content directory /var/lib/…"). */
    String describe();
}
