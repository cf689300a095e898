package io.strata.content;

import io.strata.oci.Digests;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What the store knows about one committed blob.
 *
 * @param digest    {@code sha256:…} of the bytes
 * @param size      length in bytes
 * @param createdAt when the blob was committed
 * @param updatedAt when the blob or its labels last changed
 * @param labels    labels (e.g. {@code containerd.io/gc.ref.content.*}); empty for none
 */
public record ContentInfo(String digest, long size, Instant createdAt, Instant updatedAt, Map<String, String> labels) {
    public ContentInfo {
        Digests.require(digest);
        if (size < 0) {
            throw new IllegalArgumentException("size < 0: " + size);
        }
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        labels = Map.copyOf(labels);
    }
}
