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

    /**
     * For {@link Snapshotter#commit} only, as containerd 2.2's {@code snapshots.WithParent}: the
     * committed snapshot an active snapshot prepared without a parent is rebased onto. Only
     * snapshotters with the {@link Snapshotter#REBASE} capability accept a new parent.
     */
    static SnapshotOption parent(String parent) {
        return new Parent(parent);
    }

    /** The parent to rebase onto at commit. */
    record Parent(String parent) implements SnapshotOption {
        public Parent {
            java.util.Objects.requireNonNull(parent, "parent");
        }
    }

    /**
     * Refuses a {@link Parent} option given to {@code operation} (prepare or view, which take the
     * parent as an argument).
     *
     * @throws InvalidArgumentException if one is among {@code options}
     */
    static void requireNoParent(String operation, SnapshotOption... options) {
        if (!parentOf(options).isEmpty()) {
            throw new InvalidArgumentException("a parent option is for commit: " + operation
                    + " takes the parent as its argument");
        }
    }

    /** The parent of the last {@link Parent} option, "" when there is none. */
    static String parentOf(SnapshotOption... options) {
        String parent = "";
        for (SnapshotOption o : options) {
            if (o instanceof Parent p) {
                parent = p.parent();
            }
        }
        return parent;
    }

    /** Merges the labels of all {@link Labels} options, later ones winning. */
    static Map<String, String> labelsOf(SnapshotOption... options) {
        var merged = new java.util.TreeMap<String, String>();
        for (SnapshotOption o : options) {
            switch (o) {
                case Labels l -> merged.putAll(l.labels());
                case Parent p -> {
                }
            }
        }
        return merged;
    }
}
