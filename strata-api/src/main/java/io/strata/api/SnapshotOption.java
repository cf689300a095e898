package io.strata.api;

import java.util.Map;

/**
 * An option for {@link Snapshotter#prepare}, {@link Snapshotter#view} and
 * {@link Snapshotter#commit}, as containerd's {@code snapshots.Opt}.
 */
public sealed interface SnapshotOption {

    /** Sets the labels of the snapshot being created or committed (commit does not inherit them). */
    static SnapshotOption labels(Map<String, String> labels) {
        return new Labels(Map.copyOf(labels));
    }

    /** Labels to store on the snapshot. */
    record Labels(Map<String, String> labels) implements SnapshotOption {
    }

    /** Merges the labels of all {@link Labels} options, later ones winning. */
    static Map<String, String> labelsOf(SnapshotOption... options) {
        var merged = new java.util.TreeMap<String, String>();
        for (SnapshotOption o : options) {
            switch (o) {
                case Labels l -> merged.putAll(l.labels());
            }
        }
        return merged;
    }
}
