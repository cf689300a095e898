package io.strata.image.meta;

import io.strata.api.InvalidArgumentException;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A named image: a name pointing at a manifest or index by descriptor, as containerd's image store
 * keeps it. {@code created} and {@code updated} are set by the store.
 */
public record ImageRecord(String name, String mediaType, String digest, long size, Map<String, String> labels,
                          Instant created, Instant updated) {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    public ImageRecord {
        if (name == null || name.isEmpty() || name.length() > 4096 || name.indexOf('\0') >= 0) {
            throw new InvalidArgumentException("image name must be 1 to 4096 characters without NUL");
        }
        if (mediaType == null || mediaType.isEmpty()) {
            throw new InvalidArgumentException("image " + name + ": target media type is empty");
        }
        if (digest == null || !DIGEST.matcher(digest).matches()) {
            throw new InvalidArgumentException("image " + name + ": target digest \"" + digest + "\" is not sha256:<64 hex>");
        }
        if (size < 0) {
            throw new InvalidArgumentException("image " + name + ": negative target size");
        }
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        created = created == null ? Instant.EPOCH : created;
        updated = updated == null ? created : updated;
    }

    /** A new record to store; the store sets the times. */
    public static ImageRecord of(String name, String mediaType, String digest, long size, Map<String, String> labels) {
        return new ImageRecord(name, mediaType, digest, size, labels, null, null);
    }
}
