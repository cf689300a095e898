package io.strata.metastore;

import io.strata.api.Kind;
import java.util.List;

/**
 * The part of a record a backend needs to lay out and mount a snapshot.
 *
 * @param id        the snapshot's id, unique for the life of the store
 * @param kind      its kind
 * @param parentIds ids of its parents, nearest first; empty for none
 */
public record SnapshotRef(long id, Kind kind, List<Long> parentIds) {
    public SnapshotRef {
        parentIds = List.copyOf(parentIds);
    }
}
