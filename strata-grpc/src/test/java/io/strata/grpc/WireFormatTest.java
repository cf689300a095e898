package io.strata.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import io.strata.grpc.proto.snapshots.CommitSnapshotRequest;
import io.strata.grpc.proto.snapshots.Info;
import io.strata.grpc.proto.snapshots.Kind;
import io.strata.grpc.proto.snapshots.SnapshotsProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The protos against containerd's api/services/snapshots/v1/snapshots.proto and api/types/mount.proto, field by field. */
class WireFormatTest {

    /** "name number type" per field, as containerd declares them. */
    private static final Map<String, String> CONTAINERD = new LinkedHashMap<>();

    static {
        CONTAINERD.put("PrepareSnapshotRequest", "snapshotter 1 string, key 2 string, parent 3 string, labels 4 map");
        CONTAINERD.put("PrepareSnapshotResponse", "mounts 1 .containerd.types.Mount");
        CONTAINERD.put("ViewSnapshotRequest", "snapshotter 1 string, key 2 string, parent 3 string, labels 4 map");
        CONTAINERD.put("ViewSnapshotResponse", "mounts 1 .containerd.types.Mount");
        CONTAINERD.put("MountsRequest", "snapshotter 1 string, key 2 string");
        CONTAINERD.put("MountsResponse", "mounts 1 .containerd.types.Mount");
        CONTAINERD.put("RemoveSnapshotRequest", "snapshotter 1 string, key 2 string");
        CONTAINERD.put("CommitSnapshotRequest", "snapshotter 1 string, name 2 string, key 3 string, labels 4 map, parent 5 string");
        CONTAINERD.put("StatSnapshotRequest", "snapshotter 1 string, key 2 string");
        CONTAINERD.put("Info", "name 1 string, parent 2 string, kind 3 .containerd.services.snapshots.v1.Kind, "
                + "created_at 4 .google.protobuf.Timestamp, updated_at 5 .google.protobuf.Timestamp, labels 6 map");
        CONTAINERD.put("StatSnapshotResponse", "info 1 .containerd.services.snapshots.v1.Info");
        CONTAINERD.put("UpdateSnapshotRequest", "snapshotter 1 string, info 2 .containerd.services.snapshots.v1.Info, "
                + "update_mask 3 .google.protobuf.FieldMask");
        CONTAINERD.put("UpdateSnapshotResponse", "info 1 .containerd.services.snapshots.v1.Info");
        CONTAINERD.put("ListSnapshotsRequest", "snapshotter 1 string, filters 2 string");
        CONTAINERD.put("ListSnapshotsResponse", "info 1 .containerd.services.snapshots.v1.Info");
        CONTAINERD.put("UsageRequest", "snapshotter 1 string, key 2 string");
        CONTAINERD.put("UsageResponse", "size 1 int64, inodes 2 int64");
        CONTAINERD.put("CleanupRequest", "snapshotter 1 string");
    }

    private static String describe(Descriptor d) {
        return d.getFields().stream().map(f -> f.getName() + " " + f.getNumber() + " " + type(f))
                .collect(Collectors.joining(", "));
    }

    private static String type(FieldDescriptor f) {
        if (f.isMapField()) {
            return "map";
        }
        return switch (f.getJavaType()) {
            case MESSAGE -> "." + f.getMessageType().getFullName();
            case ENUM -> "." + f.getEnumType().getFullName();
            case LONG -> f.getType().name().toLowerCase();
            default -> f.getType().name().toLowerCase();
        };
    }

    @Test
    void everyMessageMatchesContainerd() {
        var file = SnapshotsProto.getDescriptor();
        assertThat(file.getPackage()).isEqualTo("containerd.services.snapshots.v1");
        assertThat(file.getMessageTypes()).extracting(Descriptor::getName).containsExactlyInAnyOrderElementsOf(CONTAINERD.keySet());
        CONTAINERD.forEach((name, fields) ->
                assertThat(describe(file.findMessageTypeByName(name))).as(name).isEqualTo(fields));
        assertThat(describe(io.strata.grpc.proto.types.Mount.getDescriptor()))
                .isEqualTo("type 1 string, source 2 string, target 3 string, options 4 string");
        assertThat(io.strata.grpc.proto.types.Mount.getDescriptor().getFullName()).isEqualTo("containerd.types.Mount");
        assertThat(Kind.getDescriptor().getValues()).extracting(v -> v.getName() + "=" + v.getNumber())
                .containsExactly("UNKNOWN=0", "VIEW=1", "ACTIVE=2", "COMMITTED=3");
        // The labels maps are map<string, string>.
        for (String m : List.of("PrepareSnapshotRequest", "ViewSnapshotRequest", "CommitSnapshotRequest", "Info")) {
            Descriptor entry = file.findMessageTypeByName(m).findFieldByName("labels").getMessageType();
            assertThat(describe(entry)).as(m).isEqualTo("key 1 string, value 2 string");
        }
    }

    @Test
    void serviceMatchesContainerd() {
        var service = SnapshotsProto.getDescriptor().findServiceByName("Snapshots");
        assertThat(service.getFullName()).isEqualTo("containerd.services.snapshots.v1.Snapshots");
        assertThat(service.getMethods()).extracting(m -> m.getName() + "(" + m.getInputType().getName() + ")"
                        + (m.isServerStreaming() ? " stream " : " ") + m.getOutputType().getFullName())
                .containsExactly(
                        "Prepare(PrepareSnapshotRequest) containerd.services.snapshots.v1.PrepareSnapshotResponse",
                        "View(ViewSnapshotRequest) containerd.services.snapshots.v1.ViewSnapshotResponse",
                        "Mounts(MountsRequest) containerd.services.snapshots.v1.MountsResponse",
                        "Commit(CommitSnapshotRequest) google.protobuf.Empty",
                        "Remove(RemoveSnapshotRequest) google.protobuf.Empty",
                        "Stat(StatSnapshotRequest) containerd.services.snapshots.v1.StatSnapshotResponse",
                        "Update(UpdateSnapshotRequest) containerd.services.snapshots.v1.UpdateSnapshotResponse",
                        "List(ListSnapshotsRequest) stream containerd.services.snapshots.v1.ListSnapshotsResponse",
                        "Usage(UsageRequest) containerd.services.snapshots.v1.UsageResponse",
                        "Cleanup(CleanupRequest) google.protobuf.Empty");
        assertThat(service.getMethods()).noneMatch(MethodDescriptor::isClientStreaming);
    }

    @Test
    void bytesAreWhatAGoClientWrites() throws Exception {
        CommitSnapshotRequest commit = CommitSnapshotRequest.newBuilder()
                .setSnapshotter("s").setName("n").setKey("k").putLabels("a", "b").setParent("p").build();
        // Tag bytes: field 1..5, wire type 2 (length-delimited); the map entry is {1: key, 2: value}.
        assertThat(java.util.HexFormat.of().formatHex(commit.toByteArray()))
                .isEqualTo("0a0173" + "12016e" + "1a016b" + "2206" + "0a0161" + "120162" + "2a0170");
        Info info = Info.newBuilder().setName("n").setKind(Kind.COMMITTED)
                .setCreatedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1).setNanos(2)).build();
        assertThat(java.util.HexFormat.of().formatHex(info.toByteArray())).isEqualTo("0a016e" + "1803" + "2204" + "0801" + "1002");
    }
}
