package io.strata.grpc;

import com.google.protobuf.Timestamp;
import io.strata.api.Info;
import io.strata.api.Kind;
import io.strata.api.Mount;
import io.strata.api.SnapshotOption;
import io.strata.api.Usage;
import io.strata.grpc.proto.snapshots.UsageResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Conversions between Strata's API records and the protobuf messages, as containerd's {@code proxy/convert.go}. */
final class ProtoConvert {
    private static final SnapshotOption[] NO_OPTIONS = {};

    private ProtoConvert() {
    }

    static io.strata.grpc.proto.snapshots.Kind toProto(Kind kind) {
        return switch (kind) {
            case VIEW -> io.strata.grpc.proto.snapshots.Kind.VIEW;
            case ACTIVE -> io.strata.grpc.proto.snapshots.Kind.ACTIVE;
            case COMMITTED -> io.strata.grpc.proto.snapshots.Kind.COMMITTED;
        };
    }

    /** As containerd's KindFromProto: anything but VIEW and ACTIVE (UNKNOWN included) reads as committed. */
    static Kind toApi(io.strata.grpc.proto.snapshots.Kind kind) {
        return switch (kind) {
            case VIEW -> Kind.VIEW;
            case ACTIVE -> Kind.ACTIVE;
            default -> Kind.COMMITTED;
        };
    }

    static io.strata.grpc.proto.snapshots.Info toProto(Info info) {
        return io.strata.grpc.proto.snapshots.Info.newBuilder()
                .setName(info.name())
                .setParent(info.parentOrEmpty())
                .setKind(toProto(info.kind()))
                .setCreatedAt(toProto(info.created()))
                .setUpdatedAt(toProto(info.updated()))
                .putAllLabels(info.labels())
                .build();
    }

    static Info toApi(io.strata.grpc.proto.snapshots.Info info) {
        return new Info(info.getName(), toApi(info.getKind()), Optional.of(info.getParent()), info.getLabelsMap(),
                info.hasCreatedAt() ? toApi(info.getCreatedAt()) : Instant.EPOCH,
                info.hasUpdatedAt() ? toApi(info.getUpdatedAt()) : Instant.EPOCH);
    }

    static Timestamp toProto(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static Instant toApi(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    static List<io.strata.grpc.proto.types.Mount> toProto(List<Mount> mounts) {
        return mounts.stream()
                .map(m -> io.strata.grpc.proto.types.Mount.newBuilder()
                        .setType(m.type())
                        .setSource(m.source())
                        .setTarget(m.target())
                        .addAllOptions(m.options())
                        .build())
                .toList();
    }

    static List<Mount> toApi(List<io.strata.grpc.proto.types.Mount> mounts) {
        return mounts.stream()
                .map(m -> new Mount(m.getType(), m.getSource(), m.getTarget(), m.getOptionsList()))
                .toList();
    }

    static UsageResponse toProto(Usage usage) {
        return UsageResponse.newBuilder().setSize(usage.size()).setInodes(usage.inodes()).build();
    }

    static Usage toApi(UsageResponse usage) {
        return new Usage(usage.getSize(), usage.getInodes());
    }

    /** The options carrying a request's labels; none when it has none. */
    static SnapshotOption[] options(Map<String, String> labels) {
        return labels.isEmpty() ? NO_OPTIONS : new SnapshotOption[] {SnapshotOption.labels(labels)};
    }
}
