package io.strata.grpc;

import io.strata.api.Info;
import io.strata.api.Kind;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.api.Usage;
import java.util.Map;
import java.util.TreeMap;

/**
 * Snapshots made before a barrage of hostile requests, which must come out of it unchanged: a
 * committed base, an active child and a view on it, and a committed snapshot with labels.
 */
final class KeptSnapshots {
    static final String BASE = "keep-base";
    static final String CHILD = "keep-child";
    static final String VIEW = "keep-view";
    static final String LABELLED = "keep-labels";
    static final String PREFIX = "keep-";

    private KeptSnapshots() {
    }

    /** Creates the kept snapshots in {@code sn}. */
    static void create(Snapshotter sn) {
        sn.prepare("keep-base-active", "");
        sn.commit(BASE, "keep-base-active");
        sn.prepare(CHILD, BASE);
        sn.view(VIEW, BASE);
        sn.prepare("keep-labels-active", BASE);
        sn.commit(LABELLED, "keep-labels-active", SnapshotOption.labels(Map.of("team", "storage", "tier", "gold")));
    }

    /** Every snapshot of {@code sn} whose name starts with "keep-": as listed, as stat sees it, and its usage when committed. */
    static Map<String, String> state(Snapshotter sn) {
        Map<String, String> state = new TreeMap<>();
        for (Info info : sn.list()) {
            if (info.name().startsWith(PREFIX)) {
                Usage usage = info.kind() == Kind.COMMITTED ? sn.usage(info.name()) : null;
                state.put(info.name(), info + " stat " + sn.stat(info.name()) + (usage == null ? "" : " " + usage));
            }
        }
        return state;
    }
}
