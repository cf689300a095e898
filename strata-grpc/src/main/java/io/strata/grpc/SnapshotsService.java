package io.strata.grpc;

import com.google.protobuf.Empty;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Limits;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.events.Publisher;
import io.strata.grpc.proto.snapshots.CleanupRequest;
import io.strata.grpc.proto.snapshots.CommitSnapshotRequest;
import io.strata.grpc.proto.snapshots.ListSnapshotsRequest;
import io.strata.grpc.proto.snapshots.ListSnapshotsResponse;
import io.strata.grpc.proto.snapshots.MountsRequest;
import io.strata.grpc.proto.snapshots.MountsResponse;
import io.strata.grpc.proto.snapshots.PrepareSnapshotRequest;
import io.strata.grpc.proto.snapshots.PrepareSnapshotResponse;
import io.strata.grpc.proto.snapshots.RemoveSnapshotRequest;
import io.strata.grpc.proto.snapshots.SnapshotsGrpc;
import io.strata.grpc.proto.snapshots.StatSnapshotRequest;
import io.strata.grpc.proto.snapshots.StatSnapshotResponse;
import io.strata.grpc.proto.snapshots.UpdateSnapshotRequest;
import io.strata.grpc.proto.snapshots.UpdateSnapshotResponse;
import io.strata.grpc.proto.snapshots.UsageRequest;
import io.strata.grpc.proto.snapshots.UsageResponse;
import io.strata.grpc.proto.snapshots.ViewSnapshotRequest;
import io.strata.grpc.proto.snapshots.ViewSnapshotResponse;
import io.strata.service.NamespaceMode;
import io.strata.service.SnapshotService;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * containerd's {@code containerd.services.snapshots.v1.Snapshots} service over Strata
 * snapshotters, chosen per request by the {@code snapshotter} field as containerd's own service
 * ({@code plugins/services/snapshots/service.go}) does.
 *
 * <p>Guarantees: every failure is answered with the status {@link GrpcErrors} gives; an empty
 * snapshotter name is {@code INVALID_ARGUMENT "snapshotter argument missing"}, an unknown one
 * {@code INVALID_ARGUMENT "snapshotter not loaded: <name>"}; an empty or invalid key, name or update
 * info is {@code INVALID_ARGUMENT} naming the field, before the snapshotter is called. Update accepts
 * the mask paths {@code labels} and {@code labels.<key>} only (none replaces all labels). List
 * sends {@link #LIST_BATCH_SIZE} infos a message, fewer when they are large, and stops when the
 * client cancels. Namespaces are handled as {@link NamespaceMode} says; {@link #bindService()}
 * includes the interceptor that reads the header. The snapshotters are not closed by the service.
 */
final class SnapshotsService implements SnapshotsGrpc.AsyncService, BindableService {
    /** Infos per List message: containerd's service sends batches of 100. */
    public static final int LIST_BATCH_SIZE = 100;
    /** Upper bound on the encoded infos of one List message, well under containerd's 16 MiB receive limit. */
    static final int LIST_BATCH_BYTES = 4 << 20;

    private final SnapshotService service;
    private final NamespaceMode mode;

    /** Serves {@code snapshotters} by name (for example "overlayfs", "native"), publishing no events. */
    public SnapshotsService(Map<String, Snapshotter> snapshotters, NamespaceMode mode) {
        this(snapshotters, mode, Publisher.NONE);
    }

    /**
     * Serves {@code snapshotters} by name and publishes each prepare, commit and remove to
     * {@code events} in the caller's namespace ({@code default} when it sends none), as
     * containerd's snapshot service does.
     */
    public SnapshotsService(Map<String, Snapshotter> snapshotters, NamespaceMode mode, Publisher events) {
        this.service = new SnapshotService(Map.copyOf(snapshotters)::get, events);
        this.mode = java.util.Objects.requireNonNull(mode, "mode");
    }

    /**
     * The service definition, with the interceptor that reads the namespace header; a request that
     * does not parse is answered as {@link UnparsableRequests} says.
     */
    @Override
    public ServerServiceDefinition bindService() {
        return UnparsableRequests.answered(
                ServerInterceptors.intercept(SnapshotsGrpc.bindService(this), NamespaceHeader.serverInterceptor()));
    }

    /** The snapshotter a request names, seen through its namespace when isolating. */
    private Snapshotter resolve(String name) {
        Optional<String> ns = NamespaceHeader.current();
        if (mode == NamespaceMode.ISOLATE && ns.isPresent()) {
            return service.snapshotter(ns.get(), name);
        }
        // Outside ISOLATE mode the header is not checked; events go to it when it is a valid name.
        return service.asStored(ns.orElse(null), name);
    }

    @Override
    public void prepare(PrepareSnapshotRequest req, StreamObserver<PrepareSnapshotResponse> response) {
        GrpcErrors.unary(response, () -> {
            Snapshotter sn = resolve(req.getSnapshotter());
            var mounts = sn.prepare(Limits.checkKey("key", req.getKey()), req.getParent(),
                    ProtoConvert.options(req.getLabelsMap()));
            return PrepareSnapshotResponse.newBuilder().addAllMounts(ProtoConvert.toProto(mounts)).build();
        });
    }

    @Override
    public void view(ViewSnapshotRequest req, StreamObserver<ViewSnapshotResponse> response) {
        GrpcErrors.unary(response, () -> {
            Snapshotter sn = resolve(req.getSnapshotter());
            var mounts = sn.view(Limits.checkKey("key", req.getKey()), req.getParent(),
                    ProtoConvert.options(req.getLabelsMap()));
            return ViewSnapshotResponse.newBuilder().addAllMounts(ProtoConvert.toProto(mounts)).build();
        });
    }

    @Override
    public void mounts(MountsRequest req, StreamObserver<MountsResponse> response) {
        GrpcErrors.unary(response, () -> {
            Snapshotter sn = resolve(req.getSnapshotter());
            var mounts = sn.mounts(Limits.checkKey("key", req.getKey()));
            return MountsResponse.newBuilder().addAllMounts(ProtoConvert.toProto(mounts)).build();
        });
    }

    @Override
    public void commit(CommitSnapshotRequest req, StreamObserver<Empty> response) {
        GrpcErrors.unary(response, () -> {
            Snapshotter sn = resolve(req.getSnapshotter());
            String name = Limits.checkKey("name", req.getName());
            String key = Limits.checkKey("key", req.getKey());
SnapshotOption[] options = ProtoConvert.options(req.getLabelsMap());
            if (!req.getParent().isEmpty()) {
                // A rebase (containerd 2.2 sends one only to snapshotters declaring the capability).
                options = Arrays.copyOf(options, options.length + 1);
                options[options.length - 1] = SnapshotOption.parent(Limits.checkKey("parent", req.getParent()));
            }
            sn.commit(name, key, options);
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void remove(RemoveSnapshotRequest req, StreamObserver<Empty> response) {
        GrpcErrors.unary(response, () -> {
            resolve(req.getSnapshotter()).remove(Limits.checkKey("key", req.getKey()));
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void stat(StatSnapshotRequest req, StreamObserver<StatSnapshotResponse> response) {
        GrpcErrors.unary(response, () -> {
            Info info = resolve(req.getSnapshotter()).stat(Limits.checkKey("key", req.getKey()));
            return StatSnapshotResponse.newBuilder().setInfo(ProtoConvert.toProto(info)).build();
        });
    }

    @Override
    public void update(UpdateSnapshotRequest req, StreamObserver<UpdateSnapshotResponse> response) {
        GrpcErrors.unary(response, () -> {
            Snapshotter sn = resolve(req.getSnapshotter());
            if (!req.hasInfo()) {
                throw new InvalidArgumentException("info must be set");
            }
            Limits.checkKey("info.name", req.getInfo().getName());
            List<String> paths = req.getUpdateMask().getPathsList();
            for (String path : paths) {
                checkUpdatePath(path);
            }
            // Only name and labels are read, as in containerd: the rest, timestamps included, may be anything.
            Info updated = sn.update(req.getInfo().getName(), req.getInfo().getLabelsMap(), paths.toArray(String[]::new));
            return UpdateSnapshotResponse.newBuilder().setInfo(ProtoConvert.toProto(updated)).build();
        });
    }

    private static void checkUpdatePath(String path) {
        if (path.equals("labels") || (path.startsWith("labels.") && path.length() > "labels.".length())) {
            return;
        }
        throw new InvalidArgumentException("cannot update \"" + path
                + "\" field on snapshot: only labels and labels.<key> can be updated");
    }

    @Override
    public void list(ListSnapshotsRequest req, StreamObserver<ListSnapshotsResponse> response) {
        var call = (ServerCallStreamObserver<ListSnapshotsResponse>) response;
        ListStreamer streamer = new ListStreamer(call, LIST_BATCH_SIZE, LIST_BATCH_BYTES);
        List<Info> infos;
        try {
            // Collected first, so the store is never held while a slow client reads.
            infos = resolve(req.getSnapshotter()).list(req.getFiltersList().toArray(String[]::new));
        } catch (RuntimeException e) {
            call.onError(GrpcErrors.toStatus(e));
            return;
        }
        try {
            streamer.send(infos);
        } catch (StreamFlow.Cancelled gone) {
            // The client cancelled or its deadline passed: there is no one left to answer.
        }
    }

    @Override
    public void usage(UsageRequest req, StreamObserver<UsageResponse> response) {
        GrpcErrors.unary(response, () -> ProtoConvert.toProto(resolve(req.getSnapshotter()).usage(Limits.checkKey("key", req.getKey()))));
    }

    @Override
    public void cleanup(CleanupRequest req, StreamObserver<Empty> response) {
        GrpcErrors.unary(response, () -> {
            resolve(req.getSnapshotter()).cleanup();
            return Empty.getDefaultInstance();
        });
    }
}
