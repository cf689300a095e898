package io.strata.grpc;

import com.google.protobuf.FieldMask;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.strata.grpc.proto.snapshots.CleanupRequest;
import io.strata.grpc.proto.snapshots.CommitSnapshotRequest;
import io.strata.grpc.proto.snapshots.Info;
import io.strata.grpc.proto.snapshots.ListSnapshotsRequest;
import io.strata.grpc.proto.snapshots.MountsRequest;
import io.strata.grpc.proto.snapshots.PrepareSnapshotRequest;
import io.strata.grpc.proto.snapshots.RemoveSnapshotRequest;
import io.strata.grpc.proto.snapshots.SnapshotsGrpc;
import io.strata.grpc.proto.snapshots.StatSnapshotRequest;
import io.strata.grpc.proto.snapshots.UpdateSnapshotRequest;
import io.strata.grpc.proto.snapshots.UsageRequest;
import io.strata.grpc.proto.snapshots.ViewSnapshotRequest;
import java.util.List;

/**
 * Well-formed requests for every method of the Snapshots service, the raw material of the hostile
 * ones. None of them can change a {@link KeptSnapshots kept snapshot}: those that name one either
 * only read it or must fail, and the requests that create, commit, update or remove name only
 * snapshots of their own ("fuzz-…").
 */
final class SnapshotRequests {
    /** The methods' short names, in the service's order. */
    static final List<String> METHODS = SnapshotsGrpc.getServiceDescriptor().getMethods().stream()
            .map(MethodDescriptor::getBareMethodName).toList();

    private SnapshotRequests() {
    }

    /** The full name of method {@code name}, as in {@code containerd.services.snapshots.v1.Snapshots/Prepare}. */
    static String full(String name) {
        return SnapshotsGrpc.SERVICE_NAME + "/" + name;
    }

    /** A request about the kept snapshots in {@code sn} and the one answer it always gets. */
    record Stable(byte[] bytes, Status.Code code) {
    }

    /** A request to {@code method} about the kept snapshots in {@code sn}; it reads them or fails. */
    static Stable stable(String method, String sn) {
        return switch (method) {
            case "Prepare" -> new Stable(PrepareSnapshotRequest.newBuilder().setSnapshotter(sn)
                    .setKey(KeptSnapshots.CHILD).setParent(KeptSnapshots.BASE).build().toByteArray(),
                    Status.Code.ALREADY_EXISTS);
            case "View" -> new Stable(ViewSnapshotRequest.newBuilder().setSnapshotter(sn)
                    .setKey(KeptSnapshots.VIEW).setParent(KeptSnapshots.BASE).build().toByteArray(),
                    Status.Code.ALREADY_EXISTS);
            case "Mounts" -> new Stable(MountsRequest.newBuilder().setSnapshotter(sn).setKey(KeptSnapshots.CHILD)
                    .build().toByteArray(), Status.Code.OK);
            case "Commit" -> new Stable(CommitSnapshotRequest.newBuilder().setSnapshotter(sn)
                    .setName(KeptSnapshots.BASE).setKey(KeptSnapshots.CHILD).build().toByteArray(),
                    Status.Code.ALREADY_EXISTS);
            case "Remove" -> new Stable(RemoveSnapshotRequest.newBuilder().setSnapshotter(sn).setKey(KeptSnapshots.BASE)
                    .build().toByteArray(), Status.Code.FAILED_PRECONDITION);
            case "Stat" -> new Stable(StatSnapshotRequest.newBuilder().setSnapshotter(sn).setKey(KeptSnapshots.BASE)
                    .build().toByteArray(), Status.Code.OK);
            case "Update" -> new Stable(UpdateSnapshotRequest.newBuilder().setSnapshotter(sn)
                    .setInfo(Info.newBuilder().setName(KeptSnapshots.LABELLED).putLabels("team", "intruders"))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("kind")).build().toByteArray(),
                    Status.Code.INVALID_ARGUMENT);
            case "List" -> new Stable(ListSnapshotsRequest.newBuilder().setSnapshotter(sn)
                    .addFilters("name~=\"^keep-\"").build().toByteArray(), Status.Code.OK);
            case "Usage" -> new Stable(UsageRequest.newBuilder().setSnapshotter(sn).setKey(KeptSnapshots.CHILD)
                    .build().toByteArray(), Status.Code.OK);
            case "Cleanup" -> new Stable(CleanupRequest.newBuilder().setSnapshotter(sn).build().toByteArray(),
                    Status.Code.OK);
            default -> throw new IllegalArgumentException(method);
        };
    }

    /** A request to {@code method} in {@code sn} about snapshot number {@code i} of the fuzzer's own. */
    static byte[] own(String method, String sn, int i) {
        String key = "fuzz-" + i;
        return switch (method) {
            case "Prepare" -> PrepareSnapshotRequest.newBuilder().setSnapshotter(sn).setKey(key)
                    .setParent(i % 3 == 0 ? KeptSnapshots.BASE : "").putLabels("fuzz", "yes").build().toByteArray();
            case "View" -> ViewSnapshotRequest.newBuilder().setSnapshotter(sn).setKey("fuzz-view-" + i)
                    .setParent(KeptSnapshots.BASE).build().toByteArray();
            case "Mounts" -> MountsRequest.newBuilder().setSnapshotter(sn).setKey(key).build().toByteArray();
            case "Commit" -> CommitSnapshotRequest.newBuilder().setSnapshotter(sn).setName("fuzz-c-" + i).setKey(key)
                    .putLabels("fuzz", "committed").build().toByteArray();
            case "Remove" -> RemoveSnapshotRequest.newBuilder().setSnapshotter(sn).setKey(key).build().toByteArray();
            case "Stat" -> StatSnapshotRequest.newBuilder().setSnapshotter(sn).setKey(key).build().toByteArray();
            case "Update" -> UpdateSnapshotRequest.newBuilder().setSnapshotter(sn)
                    .setInfo(Info.newBuilder().setName(key).putLabels("fuzz", "updated"))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("labels.fuzz")).build().toByteArray();
            case "List" -> ListSnapshotsRequest.newBuilder().setSnapshotter(sn)
                    .addFilters("name~=\"^fuzz-\",labels.fuzz==yes").addFilters("kind==committed").build().toByteArray();
            case "Usage" -> UsageRequest.newBuilder().setSnapshotter(sn).setKey(key).build().toByteArray();
            case "Cleanup" -> CleanupRequest.newBuilder().setSnapshotter(sn).build().toByteArray();
            default -> throw new IllegalArgumentException(method);
        };
    }
}
