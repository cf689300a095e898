package io.strata.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.FieldMask;
import io.grpc.Context;
import io.grpc.Status;
import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.SnapshotOption;
import io.strata.grpc.proto.snapshots.CommitSnapshotRequest;
import io.strata.grpc.proto.snapshots.ListSnapshotsRequest;
import io.strata.grpc.proto.snapshots.ListSnapshotsResponse;
import io.strata.grpc.proto.snapshots.MountsRequest;
import io.strata.grpc.proto.snapshots.PrepareSnapshotRequest;
import io.strata.grpc.proto.snapshots.RemoveSnapshotRequest;
import io.strata.grpc.proto.snapshots.SnapshotsGrpc;
import io.strata.grpc.proto.snapshots.StatSnapshotRequest;
import io.strata.grpc.proto.snapshots.UpdateSnapshotRequest;
import io.strata.grpc.proto.snapshots.UsageRequest;
import io.strata.grpc.proto.snapshots.ViewSnapshotRequest;
import io.strata.service.NamespaceMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The service's own rules, through a real server on a unix socket over the real backends. */
class SnapshotsServiceTest {
    private Harness h;
    private SnapshotsGrpc.SnapshotsBlockingStub stub;

    @BeforeEach
    void start() throws Exception {
        h = Harness.withBackends(NamespaceMode.ISOLATE);
        stub = h.stub(null);
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    private static Status statusOf(Runnable call) {
        Throwable t = catchThrowable(call::run);
        assertThat(t).as("the call should have failed").isNotNull();
        return Status.fromThrowable(t);
    }

    @Test
    void unknownOrMissingSnapshotterIsInvalidArgumentInContainerdWords() {
        Status unknown = statusOf(() -> stub.stat(StatSnapshotRequest.newBuilder().setSnapshotter("zfs").setKey("k").build()));
        assertThat(unknown.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(unknown.getDescription()).isEqualTo("snapshotter not loaded: zfs: invalid argument");
        Status missing = statusOf(() -> stub.stat(StatSnapshotRequest.newBuilder().setKey("k").build()));
        assertThat(missing.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(missing.getDescription()).isEqualTo("snapshotter argument missing: invalid argument");
        Status listUnknown = statusOf(() -> stub.list(ListSnapshotsRequest.newBuilder().setSnapshotter("zfs").build()).hasNext());
        assertThat(listUnknown.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThatThrownBy(() -> h.remote("btrfs").list()).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("snapshotter not loaded: btrfs");
    }

    @Test
    void missingRequiredFieldsAreInvalidArgumentNamingTheField() {
        String sn = "native";
        List<Map.Entry<String, Runnable>> calls = List.of(
                Map.entry("key", () -> stub.prepare(PrepareSnapshotRequest.newBuilder().setSnapshotter(sn).build())),
                Map.entry("key", () -> stub.view(ViewSnapshotRequest.newBuilder().setSnapshotter(sn).build())),
                Map.entry("key", () -> stub.mounts(MountsRequest.newBuilder().setSnapshotter(sn).build())),
                Map.entry("key", () -> stub.remove(RemoveSnapshotRequest.newBuilder().setSnapshotter(sn).build())),
                Map.entry("key", () -> stub.stat(StatSnapshotRequest.newBuilder().setSnapshotter(sn).build())),
                Map.entry("key", () -> stub.usage(UsageRequest.newBuilder().setSnapshotter(sn).build())),
                Map.entry("name", () -> stub.commit(CommitSnapshotRequest.newBuilder().setSnapshotter(sn).setKey("k").build())),
                Map.entry("key", () -> stub.commit(CommitSnapshotRequest.newBuilder().setSnapshotter(sn).setName("n").build())),
                Map.entry("info", () -> stub.update(UpdateSnapshotRequest.newBuilder().setSnapshotter(sn).build())),
                Map.entry("info.name", () -> stub.update(UpdateSnapshotRequest.newBuilder().setSnapshotter(sn)
                        .setInfo(io.strata.grpc.proto.snapshots.Info.getDefaultInstance()).build())));
        for (var call : calls) {
            Status s = statusOf(call.getValue());
            assertThat(s.getCode()).as(call.getKey()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(s.getDescription()).as(call.getKey()).startsWith(call.getKey() + " must");
        }
        assertThat(h.backends.get(sn).list()).as("nothing was created").isEmpty();
    }

    @Test
    void updateHonoursTheFieldMask() {
        RemoteSnapshotter sn = h.remote("overlayfs");
        sn.prepare("a", "", SnapshotOption.labels(Map.of("x", "1", "y", "2")));
        Function<List<String>, UpdateSnapshotRequest> update = paths -> UpdateSnapshotRequest.newBuilder()
                .setSnapshotter("overlayfs")
                .setInfo(io.strata.grpc.proto.snapshots.Info.newBuilder().setName("a").putLabels("x", "10").putLabels("z", "3"))
                .setUpdateMask(FieldMask.newBuilder().addAllPaths(paths))
                .build();

        assertThat(stub.update(update.apply(List.of("labels.x"))).getInfo().getLabelsMap())
                .isEqualTo(Map.of("x", "10", "y", "2"));
        assertThat(stub.update(update.apply(List.of("labels.y"))).getInfo().getLabelsMap())
                .as("a path naming a label absent from info deletes it").isEqualTo(Map.of("x", "10"));
        assertThat(stub.update(update.apply(List.of())).getInfo().getLabelsMap()).isEqualTo(Map.of("x", "10", "z", "3"));
        sn.update("a", Map.of("only", "this"), "labels");
        assertThat(sn.stat("a").labels()).isEqualTo(Map.of("only", "this"));

        for (String bad : List.of("parent", "name", "kind", "created_at", "labels.", "labelsx", "")) {
            Status s = statusOf(() -> stub.update(update.apply(List.of("labels.x", bad))));
            assertThat(s.getCode()).as("path %s", bad).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(s.getDescription()).contains("\"" + bad + "\"");
        }
        assertThat(sn.stat("a").labels()).as("refused updates change nothing").isEqualTo(Map.of("only", "this"));
    }

    /** CommitSnapshotRequest.parent (field 5) reaches the backend: a rebase on overlayfs, refused on native. */
    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native"})
    void commitWithAParentOverTheWire(String backend) {
        RemoteSnapshotter sn = h.remote(backend);
        sn.prepare("p-a", "");
        sn.commit("p", "p-a");
        sn.prepare("on-p", "p");
        sn.prepare("no-parent", "");
        Function<String[], CommitSnapshotRequest> commit = a -> CommitSnapshotRequest.newBuilder()
                .setSnapshotter(backend).setName(a[0]).setKey(a[1]).setParent(a[2]).build();

        stub.commit(commit.apply(new String[] {"c1", "on-p", "p"}));
        assertThat(sn.stat("c1").parent()).as("naming the parent it has").contains("p");

        sn.prepare("on-p-2", "p");
        Status change = statusOf(() -> stub.commit(commit.apply(new String[] {"c3", "on-p-2", "c1"})));
        assertThat(change.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(change.getDescription()).contains("cannot change parent");
        assertThat(sn.stat("on-p-2").kind()).isEqualTo(io.strata.api.Kind.ACTIVE);

        Status missing = statusOf(() -> stub.commit(commit.apply(new String[] {"c4", "no-parent", "nope"})));
        if (backend.equals("overlayfs")) {
            assertThat(missing.getCode()).isEqualTo(Status.Code.NOT_FOUND);
            stub.commit(commit.apply(new String[] {"c2", "no-parent", "p"}));
            assertThat(sn.stat("c2").parent()).as("rebased onto p").contains("p");
            assertThatThrownBy(() -> sn.remove("p")).as("p has children now")
                    .isInstanceOf(io.strata.api.FailedPreconditionException.class);
        } else {
            assertThat(missing.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            Status rebase = statusOf(() -> stub.commit(commit.apply(new String[] {"c2", "no-parent", "p"})));
            assertThat(rebase.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(rebase.getDescription()).contains("no rebase capability");
            assertThat(sn.stat("no-parent").kind()).isEqualTo(io.strata.api.Kind.ACTIVE);
        }
    }

    @Test
    void hugeLabelsAreRefusedAndTheServerKeepsServing() {
        RemoteSnapshotter sn = h.remote("native");
        assertThatThrownBy(() -> sn.prepare("one-mb-label", "", SnapshotOption.labels(Map.of("big", "v".repeat(1 << 20)))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("4096");

        // Over the 16 MiB message limit: refused by gRPC itself before the service sees it.
        Map<String, String> tooMany = new HashMap<>();
        for (int i = 0; i < 5_000; i++) {
            tooMany.put("label-" + i, "v".repeat(4000));
        }
        Status s = statusOf(() -> stub.prepare(PrepareSnapshotRequest.newBuilder().setSnapshotter("native")
                .setKey("too-big").putAllLabels(tooMany).build()));
        assertThat(s.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThatThrownBy(() -> sn.prepare("too-big", "", SnapshotOption.labels(tooMany)))
                .isInstanceOf(InvalidArgumentException.class);

        // Many small labels are legal, as in containerd: no limit on their number.
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            many.put("containerd.io/label-" + i, "value-" + i);
        }
        sn.prepare("many-labels", "", SnapshotOption.labels(many));
        assertThat(sn.stat("many-labels").labels()).isEqualTo(many);
        assertThat(sn.list()).extracting(Info::name).containsExactly("many-labels");
    }

    @Test
    void timestampsKeepNanoseconds() {
        RemoteSnapshotter sn = h.remote("overlayfs");
        for (int i = 0; i < 5; i++) {
            sn.prepare("t" + i, "");
        }
        List<Info> direct = h.backends.get("overlayfs").list();
        assertThat(direct).extracting(i -> i.created().getNano() % 1000).as("backend stores sub-microsecond times")
                .anyMatch(n -> n != 0);
        assertThat(sn.list()).containsExactlyInAnyOrderElementsOf(direct);
        for (Info i : direct) {
            assertThat(sn.stat(i.name())).isEqualTo(i);
        }
    }

    @Test
    void listSendsBatchesOfOneHundred() {
        RemoteSnapshotter sn = h.remote("native");
        for (int i = 0; i < 250; i++) {
            sn.prepare("k-" + i, "");
        }
        List<Integer> sizes = new ArrayList<>();
        stub.list(ListSnapshotsRequest.newBuilder().setSnapshotter("native").build())
                .forEachRemaining(r -> sizes.add(r.getInfoCount()));
        assertThat(sizes).containsExactly(100, 100, 50);
        assertThat(sn.list()).hasSize(250);
        assertThat(sn.list("name~=^k-1")).hasSize(1 + 10 + 100);
        List<Integer> filtered = new ArrayList<>();
        stub.list(ListSnapshotsRequest.newBuilder().setSnapshotter("native").addFilters("name==k-7").addFilters("name==k-8").build())
                .forEachRemaining(r -> filtered.add(r.getInfoCount()));
        assertThat(filtered).containsExactly(2);
        assertThat(statusOf(() -> stub.list(ListSnapshotsRequest.newBuilder().setSnapshotter("native")
                .addFilters("name==").build()).hasNext()).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void listBatchesStayUnderTheByteBound() {
        RemoteSnapshotter sn = h.remote("native");
        Map<String, String> heavy = new HashMap<>();
        for (int l = 0; l < 12; l++) {
            heavy.put("l" + l, "x".repeat(4000));
        }
        for (int i = 0; i < 150; i++) {
            sn.prepare("heavy-" + i, "", SnapshotOption.labels(heavy));
        }
        List<Integer> counts = new ArrayList<>();
        List<Integer> bytes = new ArrayList<>();
        stub.list(ListSnapshotsRequest.newBuilder().setSnapshotter("native").build()).forEachRemaining(b -> {
            counts.add(b.getInfoCount());
            bytes.add(b.getSerializedSize());
        });
        // 150 infos of ~48 KB: 100 a message would be ~4.8 MB, so the byte bound cuts earlier.
        assertThat(counts).hasSizeGreaterThan(1).allSatisfy(c -> assertThat(c).isLessThan(SnapshotsService.LIST_BATCH_SIZE));
        assertThat(counts.stream().mapToInt(Integer::intValue).sum()).isEqualTo(150);
        assertThat(bytes).allSatisfy(b -> assertThat(b).isLessThanOrEqualTo(SnapshotsService.LIST_BATCH_BYTES));
    }

    @Test
    void clientCancellingMidStreamLeavesTheServerServing() throws Exception {
        RemoteSnapshotter sn = h.remote("native");
        Map<String, String> heavy = Map.of("a", "x".repeat(4000), "b", "y".repeat(4000));
        for (int i = 0; i < 400; i++) {
            sn.prepare("s-" + i, "", SnapshotOption.labels(heavy));
        }
        for (int round = 0; round < 3; round++) {
            Context.CancellableContext scope = Context.current().withCancellation();
            ListSnapshotsResponse first = scope.call(() -> {
                Iterator<ListSnapshotsResponse> it = stub.list(ListSnapshotsRequest.newBuilder().setSnapshotter("native").build());
                return it.next();
            });
            scope.cancel(null);
            assertThat(first.getInfoCount()).isEqualTo(100);
        }
        // A callback that throws cancels the stream the same way.
        RuntimeException stop = new RuntimeException("stop after one");
        assertThatThrownBy(() -> sn.walk(i -> {
            throw stop;
        })).isSameAs(stop);

        assertThat(sn.stat("s-1").labels()).isEqualTo(heavy);
        assertThat(sn.list()).hasSize(400);
        // No handler is stuck on a cancelled stream: the server drains at once.
        assertThat(h.server.shutdown(Duration.ofSeconds(5))).isTrue();
    }
}
