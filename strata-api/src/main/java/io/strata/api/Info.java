package io.strata.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What Strata knows about one snapshot, as in containerd's {@code snapshots.Info}.
 *
 * @param name    the key of an active or view snapshot, or the name of a committed one
 * @param kind    its kind
 * @param parent  the name of the committed parent, empty for a snapshot at the base of a chain
 * @param labels  user labels; never null, possibly empty, immutable
 * @param created when the record was created (for committed snapshots: when committed)
 * @param updated when the record last changed; equal to {@code created} at creation
 */
public record Info(String name, Kind kind, Optional<String> parent, Map<String, String> labels,
                   Instant created, Instant updated) {
    public Info {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(parent, "parent");
        parent = parent.filter(p -> !p.isEmpty());
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(updated, "updated");
    }

    /** The parent name, or "" when there is none (containerd's wire form). */
    public String parentOrEmpty() {
        return parent.orElse("");
    }

    public Info withLabels(Map<String, String> newLabels) {
        return new Info(name, kind, parent, newLabels, created, updated);
    }
}
