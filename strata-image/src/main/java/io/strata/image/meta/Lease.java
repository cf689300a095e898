package io.strata.image.meta;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A lease: while it exists, the resources it lists are roots for garbage collection (a pull holds
 * one over what it is writing). A resource is {@code ("content", digest)},
 * {@code ("snapshots/<snapshotter>", key)} or {@code ("ingests", ref)}, as in containerd.
 */
public record Lease(String id, Map<String, String> labels, Instant created, List<Resource> resources) {
    public Lease {
        labels = Map.copyOf(labels);
        resources = List.copyOf(resources);
    }

    /** One leased resource. */
    public record Resource(String type, String id) {
    }
}
