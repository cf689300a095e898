package io.strata.grpc;

import com.google.protobuf.FieldMask;
import io.strata.grpc.proto.snapshots.CleanupRequest;
import io.strata.grpc.proto.snapshots.CommitSnapshotRequest;
import io.strata.grpc.proto.snapshots.Info;
import io.strata.grpc.proto.snapshots.ListSnapshotsRequest;
import io.strata.grpc.proto.snapshots.MountsRequest;
import io.strata.grpc.proto.snapshots.PrepareSnapshotRequest;
import io.strata.grpc.proto.snapshots.RemoveSnapshotRequest;
import io.strata.grpc.proto.snapshots.StatSnapshotRequest;
import io.strata.grpc.proto.snapshots.UpdateSnapshotRequest;
import io.strata.grpc.proto.snapshots.UsageRequest;
import io.strata.grpc.proto.snapshots.ViewSnapshotRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Requests that parse, with each field drawn at random from values a hostile client might send:
 * control characters and NUL, paths, bidi overrides, long and very long strings, filters built
 * from the filter language's own tokens. Kept snapshots are named only where that cannot change
 * them: as the key of a read, of a create (already exists), as a parent, or as the name a commit
 * wants (already exists); never as what a commit, update or remove acts on (except the base,
 * which has children and cannot be removed).
 */
final class HostileValues {
    private static final List<String> KEPT = List.of(KeptSnapshots.BASE, KeptSnapshots.CHILD, KeptSnapshots.VIEW,
            KeptSnapshots.LABELLED);
    private static final List<String> FILTER_TOKENS = List.of("name", "kind", "parent", "labels", ".", "\"", "==",
            "!=", "~=", ",", " ", "committed", "active", "view", "/", "|", "(", ")", "[", "]", "*", "+", "?", "\\",
            "^", "$", "{2,}", "a", "keep-", "fuzz", "containerd.io/gc.root", "\u00e9", "\0");
    private static final List<String> PATHS = List.of("labels", "labels.fuzz", "labels.", "name", "kind", "parent",
            "labels.containerd.io/gc.root", "", "labels.a.b");

    private final Random random;
    private final List<String> snapshotters;

    HostileValues(Random random, List<String> snapshotters) {
        this.random = random;
        this.snapshotters = snapshotters;
    }

    /** A request to {@code method} (its short name). */
    byte[] request(String method) {
        return switch (method) {
            case "Prepare" -> PrepareSnapshotRequest.newBuilder().setSnapshotter(snapshotter()).setKey(anyKey())
                    .setParent(parent()).putAllLabels(labels()).build().toByteArray();
            case "View" -> ViewSnapshotRequest.newBuilder().setSnapshotter(snapshotter()).setKey(anyKey())
                    .setParent(parent()).putAllLabels(labels()).build().toByteArray();
            case "Mounts" -> MountsRequest.newBuilder().setSnapshotter(snapshotter()).setKey(anyKey()).build().toByteArray();
            case "Commit" -> CommitSnapshotRequest.newBuilder().setSnapshotter(snapshotter()).setName(anyKey())
                    .setKey(ownKey()).putAllLabels(labels()).setParent(random.nextInt(4) == 0 ? parent() : "")
                    .build().toByteArray();
            case "Remove" -> RemoveSnapshotRequest.newBuilder().setSnapshotter(snapshotter())
                    .setKey(random.nextInt(10) == 0 ? KeptSnapshots.BASE : ownKey()).build().toByteArray();
            case "Stat" -> StatSnapshotRequest.newBuilder().setSnapshotter(snapshotter()).setKey(anyKey()).build().toByteArray();
            case "Update" -> UpdateSnapshotRequest.newBuilder().setSnapshotter(snapshotter())
                    .setInfo(Info.newBuilder().setName(ownKey()).setParent(text()).putAllLabels(labels()))
                    .setUpdateMask(mask()).build().toByteArray();
            case "List" -> {
                ListSnapshotsRequest.Builder b = ListSnapshotsRequest.newBuilder().setSnapshotter(snapshotter());
                for (int n = random.nextInt(4); n > 0; n--) {
                    b.addFilters(filter());
                }
                yield b.build().toByteArray();
            }
            case "Usage" -> UsageRequest.newBuilder().setSnapshotter(snapshotter()).setKey(anyKey()).build().toByteArray();
            case "Cleanup" -> CleanupRequest.newBuilder().setSnapshotter(snapshotter()).build().toByteArray();
            default -> throw new IllegalArgumentException(method);
        };
    }

    private String snapshotter() {
        return random.nextInt(10) < 8 ? pick(snapshotters) : text();
    }

    /** A key of the fuzzer's own: one of a few, so that later requests find earlier ones, or any text. */
    private String ownKey() {
        return random.nextBoolean() ? "fuzz-s-" + random.nextInt(40) : text();
    }

    private String anyKey() {
        return random.nextInt(4) == 0 ? pick(KEPT) : ownKey();
    }

    private String parent() {
        return switch (random.nextInt(4)) {
            case 0 -> "";
            case 1 -> pick(KEPT);
            case 2 -> ownKey();
            default -> text();
        };
    }

    private Map<String, String> labels() {
        Map<String, String> labels = new HashMap<>();
        for (int n = random.nextInt(4); n > 0; n--) {
            labels.put(random.nextBoolean() ? "fuzz" : text(), text());
        }
        return labels;
    }

    private FieldMask mask() {
        FieldMask.Builder b = FieldMask.newBuilder();
        for (int n = random.nextInt(3); n > 0; n--) {
            b.addPaths(random.nextBoolean() ? pick(PATHS) : "labels." + text());
        }
        return b.build();
    }

    private String filter() {
        StringBuilder f = new StringBuilder();
        for (int n = random.nextInt(12); n > 0; n--) {
            f.append(random.nextInt(8) == 0 ? text() : pick(FILTER_TOKENS));
        }
        return f.toString();
    }

    /** Text that is valid Unicode (protobuf strings must be) but otherwise anything. */
    private String text() {
        return switch (random.nextInt(8)) {
            case 0 -> "";
            case 1 -> pick(List.of("..", "../" + KeptSnapshots.BASE, "a/b", "/", "\0", " ", "\u202e", "\uffff", "*"));
            case 2 -> "x".repeat(4000 + random.nextInt(200));
            case 3 -> "\u00e9".repeat(1 + random.nextInt(3000));
            default -> codePoints(1 + random.nextInt(random.nextBoolean() ? 12 : 300));
        };
    }

    private String codePoints(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int cp = switch (random.nextInt(5)) {
                case 0 -> random.nextInt(0x20);
                case 1 -> 0x20 + random.nextInt(0x60);
                case 2 -> 0x80 + random.nextInt(0xd800 - 0x80);
                case 3 -> 0xe000 + random.nextInt(0x2000);
                default -> 0x10000 + random.nextInt(0x100000);
            };
            s.appendCodePoint(cp);
        }
        return s.toString();
    }

    private <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }
}
