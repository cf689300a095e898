package io.strata.grpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.strata.grpc.proto.snapshots.CommitSnapshotRequest;
import io.strata.grpc.proto.snapshots.Info;
import io.strata.grpc.proto.snapshots.ListSnapshotsRequest;
import io.strata.grpc.proto.snapshots.PrepareSnapshotRequest;
import io.strata.grpc.proto.snapshots.StatSnapshotRequest;
import io.strata.grpc.proto.snapshots.UpdateSnapshotRequest;
import io.strata.grpc.proto.snapshots.ViewSnapshotRequest;
import io.strata.grpc.proto.types.Mount;
import java.util.ArrayList;
import java.util.List;

/**
 * Well-formed requests with hostile values: names of snapshotters and methods that do not exist,
 * keys with NUL, 1 MiB keys and values, 100 000 labels or filters or mounts, filters that do not
 * parse or nest too deep, updates of fields that cannot be updated, messages at and past the
 * server's size limit. Each has one expected answer; none changes a kept snapshot.
 */
final class AbusiveRequests {
    static final int MIB = 1 << 20;
    static final int MANY = 100_000;
    /** The snapshot made with {@link #MANY} labels, the one request here that creates something. */
    static final String MANY_LABELS = "fuzz-many-labels";

    private static final List<String> KEY_METHODS = List.of("Prepare", "View", "Mounts", "Remove", "Stat", "Usage");
    private static final String HUGE = "k".repeat(MIB);

    private AbusiveRequests() {
    }

    /** Snapshotter names nobody serves, each in place of {@code sn} in a well-formed request. */
    static List<Probe> unknownSnapshotters(String method, String sn) {
        byte[] ok = SnapshotRequests.stable(method, sn).bytes();
        List<Probe> probes = new ArrayList<>();
        for (String name : List.of("zfs", sn.toUpperCase(), sn + "\0", "../" + sn, " " + sn, sn + "/", "\u202e" + sn,
                sn.replace('a', '\u00e4'), "x".repeat(MIB))) {
            // A singular field given twice takes the last value.
            probes.add(Probe.exactly("unknown snapshotter", SnapshotRequests.full(method),
                    Wire.after(ok).string(1, name).bytes(), Status.Code.INVALID_ARGUMENT));
        }
        return probes;
    }

    /** 1 MiB keys, names and filters; 100 000 labels, filters and mounts; in snapshotter {@code sn}. */
    static List<Probe> huge(String method, String sn) {
        SnapshotRequests.Stable s = SnapshotRequests.stable(method, sn);
        String m = SnapshotRequests.full(method);
        List<Probe> probes = new ArrayList<>();
        Wire mounts = Wire.after(s.bytes());
        byte[] mount = Mount.newBuilder().setType("overlay").setSource("overlay").setTarget("/")
                .addOptions("lowerdir=/a:/b").addOptions("upperdir=/c").build().toByteArray();
        for (int i = 0; i < MANY; i++) {
            mounts.delimited(301, mount);
        }
        probes.add(Probe.exactly("huge mount list", m, mounts.bytes(), s.code()));
        if (KEY_METHODS.contains(method)) {
            probes.add(Probe.exactly("1 MiB key", m, Wire.after(s.bytes()).string(2, HUGE).bytes(), Status.Code.INVALID_ARGUMENT));
            probes.add(Probe.exactly("key with NUL", m, Wire.after(s.bytes()).string(2, "keep-\0base").bytes(),
                    Status.Code.INVALID_ARGUMENT));
        }
        switch (method) {
            case "Prepare", "View", "Commit" -> {
                Wire labels = Wire.after(s.bytes());
                for (int i = 0; i < MANY; i++) {
                    labels.delimited(4, Wire.empty().string(1, "label-" + i).string(2, "v").bytes());
                }
                probes.add(Probe.exactly("100 000 labels", m, labels.bytes(), s.code()));
            }
            case "Update" -> {
                Info.Builder info = Info.newBuilder().setName(KeptSnapshots.LABELLED);
                for (int i = 0; i < MANY; i++) {
                    info.putLabels("label-" + i, "v");
                }
                // A message field given twice is merged: the kept name with 100 000 labels, and still the mask "kind".
                probes.add(Probe.exactly("100 000 labels", m, Wire.after(s.bytes()).delimited(2, info.build().toByteArray())
                        .bytes(), s.code()));
                probes.add(Probe.exactly("1 MiB key", m, UpdateSnapshotRequest.newBuilder().setSnapshotter(sn)
                        .setInfo(Info.newBuilder().setName(HUGE)).build().toByteArray(), Status.Code.INVALID_ARGUMENT));
            }
            case "List" -> {
                ListSnapshotsRequest.Builder many = ListSnapshotsRequest.newBuilder().setSnapshotter(sn);
                for (int i = 0; i < MANY; i++) {
                    many.addFilters("name==nothing-" + i);
                }
                probes.add(Probe.exactly("100 000 filters", m, many.build().toByteArray(), Status.Code.OK));
                probes.add(Probe.exactly("1 MiB filter", m, ListSnapshotsRequest.newBuilder().setSnapshotter(sn)
                        .addFilters("name==" + HUGE).build().toByteArray(), Status.Code.OK));
            }
            default -> {
                // Cleanup has nothing more to make huge; the key methods were handled above.
            }
        }
        if (method.equals("Commit")) {
            probes.add(Probe.exactly("1 MiB key", m, Wire.after(s.bytes()).string(2, HUGE).bytes(), Status.Code.INVALID_ARGUMENT));
            probes.add(Probe.exactly("1 MiB key", m, Wire.after(s.bytes()).string(3, HUGE).bytes(), Status.Code.INVALID_ARGUMENT));
        }
        return probes;
    }

    /** Requests for snapshots of their own that must be refused, and one with 100 000 labels that must work. */
    static List<Probe> values(String sn) {
        String prepare = SnapshotRequests.full("Prepare");
        List<Probe> probes = new ArrayList<>();
        PrepareSnapshotRequest.Builder many = PrepareSnapshotRequest.newBuilder().setSnapshotter(sn).setKey(MANY_LABELS);
        for (int i = 0; i < MANY; i++) {
            many.putLabels("label-" + i, "value-" + i);
        }
        probes.add(Probe.exactly("100 000 labels", prepare, many.build().toByteArray(), Status.Code.OK));
        probes.add(Probe.exactly("1 MiB label", prepare, PrepareSnapshotRequest.newBuilder().setSnapshotter(sn)
                .setKey("fuzz-big-label").putLabels("big", HUGE).build().toByteArray(), Status.Code.INVALID_ARGUMENT));
        probes.add(Probe.exactly("empty label key", prepare, PrepareSnapshotRequest.newBuilder().setSnapshotter(sn)
                .setKey("fuzz-empty-label").putLabels("", "v").build().toByteArray(), Status.Code.INVALID_ARGUMENT));
        probes.add(Probe.exactly("1 MiB parent", prepare, PrepareSnapshotRequest.newBuilder().setSnapshotter(sn)
                .setKey("fuzz-huge-parent").setParent(HUGE).build().toByteArray(), Status.Code.NOT_FOUND));
        probes.add(Probe.exactly("1 MiB parent", SnapshotRequests.full("View"), ViewSnapshotRequest.newBuilder()
                .setSnapshotter(sn).setKey("fuzz-huge-parent").setParent(HUGE).build().toByteArray(), Status.Code.NOT_FOUND));
        probes.add(Probe.exactly("parent not committed", prepare, PrepareSnapshotRequest.newBuilder().setSnapshotter(sn)
                .setKey("fuzz-on-active").setParent(KeptSnapshots.CHILD).build().toByteArray(),
                Status.Code.FAILED_PRECONDITION));
        for (String key : List.of("../" + KeptSnapshots.BASE, KeptSnapshots.BASE + "/", "/" + KeptSnapshots.BASE)) {
            probes.add(Probe.exactly("path in key", SnapshotRequests.full("Remove"),
                    io.strata.grpc.proto.snapshots.RemoveSnapshotRequest.newBuilder().setSnapshotter(sn).setKey(key)
                            .build().toByteArray(), Status.Code.NOT_FOUND));
        }
        String commit = SnapshotRequests.full("Commit");
        probes.add(Probe.exactly("commit to another parent", commit, CommitSnapshotRequest.newBuilder().setSnapshotter(sn)
                .setName("fuzz-rebased").setKey(KeptSnapshots.CHILD).setParent(KeptSnapshots.LABELLED).build()
                .toByteArray(), Status.Code.INVALID_ARGUMENT));
        probes.add(Probe.exactly("commit a view", commit, CommitSnapshotRequest.newBuilder().setSnapshotter(sn)
                .setName("fuzz-from-view").setKey(KeptSnapshots.VIEW).build().toByteArray(),
                Status.Code.FAILED_PRECONDITION));
        probes.add(Probe.exactly("commit a committed", commit, CommitSnapshotRequest.newBuilder().setSnapshotter(sn)
                .setName("fuzz-from-committed").setKey(KeptSnapshots.BASE).build().toByteArray(),
                Status.Code.FAILED_PRECONDITION));
        return probes;
    }

    /** Filters that do not parse, or whose regular expression does not compile. */
    static List<Probe> badFilters(String sn) {
        List<Probe> probes = new ArrayList<>();
        for (String f : List.of("name==", ",", "labels.\"unterminated", "name~=\"(\"", "\0", "kind==committed ,",
                "name~=\"" + "(".repeat(50_000) + ")".repeat(50_000) + "\"", "name~=/" + "[".repeat(10_000) + "/",
                "name==" + HUGE + ",", "name~=\"(?=x)\"", "name~=\"\\\\8\"")) {
            probes.add(Probe.exactly("bad filter", SnapshotRequests.full("List"),
                    ListSnapshotsRequest.newBuilder().setSnapshotter(sn).addFilters("kind==committed").addFilters(f)
                            .build().toByteArray(), Status.Code.INVALID_ARGUMENT));
        }
        return probes;
    }

    /** Updates that cannot be made, and updates of a missing snapshot with fields the service ignores. */
    static List<Probe> badUpdates(String sn) {
        String m = SnapshotRequests.full("Update");
        List<Probe> probes = new ArrayList<>();
        UpdateSnapshotRequest.Builder kept = UpdateSnapshotRequest.newBuilder().setSnapshotter(sn)
                .setInfo(Info.newBuilder().setName(KeptSnapshots.LABELLED).putLabels("team", "intruders"));
        probes.add(Probe.exactly("update", m, UpdateSnapshotRequest.newBuilder().setSnapshotter(sn).build().toByteArray(),
                Status.Code.INVALID_ARGUMENT));
        probes.add(Probe.exactly("update", m, UpdateSnapshotRequest.newBuilder().setSnapshotter(sn)
                .setInfo(Info.newBuilder().putLabels("a", "b")).build().toByteArray(), Status.Code.INVALID_ARGUMENT));
        for (String path : List.of("labels.", "", "name", "labels_x", "Labels", "labels\0")) {
            probes.add(Probe.exactly("update", m, kept.clone().setUpdateMask(FieldMask.newBuilder().addPaths("labels.team")
                    .addPaths(path)).build().toByteArray(), Status.Code.INVALID_ARGUMENT));
        }
        probes.add(Probe.exactly("update", m, kept.clone().setInfo(Info.newBuilder().setName(KeptSnapshots.LABELLED)
                .putLabels("team", "x".repeat(5000))).setUpdateMask(FieldMask.newBuilder().addPaths("labels.team"))
                .build().toByteArray(), Status.Code.INVALID_ARGUMENT));
        Timestamp endOfTime = Timestamp.newBuilder().setSeconds(Long.MAX_VALUE).setNanos(Integer.MAX_VALUE).build();
        Timestamp beforeTime = Timestamp.newBuilder().setSeconds(Long.MIN_VALUE).setNanos(-1).build();
        for (Info.Builder info : List.of(Info.newBuilder().setCreatedAt(endOfTime), Info.newBuilder().setUpdatedAt(beforeTime),
                Info.newBuilder().setKindValue(99), Info.newBuilder().setParent("\0"))) {
            probes.add(Probe.exactly("update ignored fields", m, UpdateSnapshotRequest.newBuilder().setSnapshotter(sn)
                    .setInfo(info.setName("fuzz-nothing").putLabels("a", "b")).build().toByteArray(),
                    Status.Code.NOT_FOUND));
        }
        return probes;
    }

    /** A message of exactly the server's limit (parsed, then refused for its key) and one byte over. */
    static List<Probe> atTheLimit(String sn) {
        String stat = SnapshotRequests.full("Stat");
        List<Probe> probes = new ArrayList<>();
        probes.add(Probe.exactly("at the size limit", stat, statOfSize(sn, StrataServer.MAX_MESSAGE_BYTES),
                Status.Code.INVALID_ARGUMENT));
        probes.add(Probe.exactly("over the size limit", stat, statOfSize(sn, StrataServer.MAX_MESSAGE_BYTES + 1),
                Status.Code.RESOURCE_EXHAUSTED));
        for (String method : SnapshotRequests.METHODS) {
            byte[] over = Wire.after(SnapshotRequests.stable(method, sn).bytes())
                    .delimited(15, new byte[StrataServer.MAX_MESSAGE_BYTES]).bytes();
            probes.add(Probe.exactly("over the size limit", SnapshotRequests.full(method), over, Status.Code.RESOURCE_EXHAUSTED));
        }
        return probes;
    }

    private static byte[] statOfSize(String sn, int size) {
        int head = StatSnapshotRequest.newBuilder().setSnapshotter(sn).build().getSerializedSize() + 1;
        int keyLength = size - head - CodedOutputStream.computeUInt32SizeNoTag(size - head);
        byte[] b = StatSnapshotRequest.newBuilder().setSnapshotter(sn).setKey("k".repeat(keyLength)).build().toByteArray();
        if (b.length != size) {
            throw new IllegalStateException("made " + b.length + " bytes, not " + size);
        }
        return b;
    }

    /** Methods the server does not have, each sent a well-formed Stat request. */
    static List<Probe> unknownMethods(String sn) {
        byte[] stat = SnapshotRequests.stable("Stat", sn).bytes();
        List<Probe> probes = new ArrayList<>();
        for (String name : List.of(SnapshotRequests.full("Frobnicate"), SnapshotRequests.full("stat"),
                SnapshotRequests.full(""), "containerd.services.snapshots.v2.Snapshots/Stat",
                "containerd.services.snapshots.v1.Snapshot/Stat", "Snapshots/Stat", "grpc.health.v1.Health/Stat",
                SnapshotRequests.full("Stat/Stat"))) {
            probes.add(Probe.exactly("unknown method", name, stat, Status.Code.UNIMPLEMENTED));
        }
        return probes;
    }
}
