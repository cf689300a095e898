package io.strata.grpc;

import com.google.protobuf.FieldMask;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.strata.api.Info;
import io.strata.api.Mount;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.api.UnavailableException;
import io.strata.api.Usage;
import io.strata.grpc.proto.snapshots.CleanupRequest;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link Snapshotter} served by a server of containerd's Snapshots gRPC API on a unix socket,
 * such as {@link StrataServer} (containerd's own socket should answer too, given a namespace).
 *
 * <p>Guarantees: failures are the {@link io.strata.api.StrataException} subclass of the status code
 * ({@link GrpcErrors#toException}), so the server's NotFound is a {@link io.strata.api.NotFoundException}
 * here too; a server that cannot be reached is an {@link UnavailableException}. With a namespace,
 * every call carries it in the {@code containerd-namespace} header. {@link #walk} reads the whole
 * stream, calling back as batches arrive, and cancels it if the callback throws. {@link #close()}
 * is idempotent; afterwards every call throws {@link UnavailableException}. Thread-safe.
 */
public final class RemoteSnapshotter implements Snapshotter {
    private final String snapshotter;
    private final UnixChannel channel;
    private final SnapshotsGrpc.SnapshotsBlockingStub stub;
    private final List<AutoCloseable> alsoClose;
    private final Set<String> capabilities;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RemoteSnapshotter(Builder b) {
        this.snapshotter = b.snapshotter;
        this.capabilities = Set.copyOf(b.capabilities);
        this.alsoClose = List.copyOf(b.alsoClose);
        this.channel = new UnixChannel(b.socket, b.namespace);
        this.stub = SnapshotsGrpc.newBlockingStub(channel.channel());
    }

    /** Starts describing a client of snapshotter {@code snapshotter} on the server at {@code socket}. */
    public static Builder builder(Path socket, String snapshotter) {
        return new Builder(socket, snapshotter);
    }

    /** A client of snapshotter {@code snapshotter} on the server at {@code socket}, with no namespace. */
    public static RemoteSnapshotter connect(Path socket, String snapshotter) {
        return builder(socket, snapshotter).connect();
    }

    /** Options of a {@link RemoteSnapshotter}. */
    public static final class Builder {
        private final Path socket;
        private final String snapshotter;
        private String namespace;
        private Set<String> capabilities = Set.of();
        private final List<AutoCloseable> alsoClose = new ArrayList<>();

        private Builder(Path socket, String snapshotter) {
            this.socket = Objects.requireNonNull(socket, "socket");
            this.snapshotter = Objects.requireNonNull(snapshotter, "snapshotter");
        }

        /** Sends {@code namespace} (a containerd identifier) with every call. */
        public Builder namespace(String namespace) {
            this.namespace = io.strata.api.Namespaces.validate(namespace);
            return this;
        }

        /**
         * The capabilities the server's snapshotter has, as a containerd config declares them for a
         * proxy plugin (the snapshots API cannot ask); none by default.
         */
        public Builder capabilities(Set<String> capabilities) {
            this.capabilities = Set.copyOf(capabilities);
            return this;
        }

        /** Closes {@code resource} in {@link RemoteSnapshotter#close()}, after the channel (for example a server started for this client). */
        public Builder alsoClose(AutoCloseable resource) {
            alsoClose.add(Objects.requireNonNull(resource, "resource"));
            return this;
        }

        /** The client. Connecting is lazy: an unreachable server shows as {@link UnavailableException} on the first call. */
        public RemoteSnapshotter connect() {
            return new RemoteSnapshotter(this);
        }
    }

    private <T> T call(Supplier<T> rpc) {
        if (closed.get()) {
            throw new UnavailableException("snapshotter client is closed");
        }
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            throw GrpcErrors.toException(e);
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    @Override
    public Info stat(String key) {
        return ProtoConvert.toApi(call(() -> stub.stat(StatSnapshotRequest.newBuilder()
                .setSnapshotter(snapshotter).setKey(orEmpty(key)).build())).getInfo());
    }

    @Override
    public Info update(String key, Map<String, String> labels, String... fieldPaths) {
        var req = UpdateSnapshotRequest.newBuilder()
                .setSnapshotter(snapshotter)
                .setInfo(io.strata.grpc.proto.snapshots.Info.newBuilder().setName(orEmpty(key)).putAllLabels(labels))
                .setUpdateMask(FieldMask.newBuilder().addAllPaths(List.of(fieldPaths)))
                .build();
        return ProtoConvert.toApi(call(() -> stub.update(req)).getInfo());
    }

    @Override
    public Usage usage(String key) {
        return ProtoConvert.toApi(call(() -> stub.usage(UsageRequest.newBuilder()
                .setSnapshotter(snapshotter).setKey(orEmpty(key)).build())));
    }

    @Override
    public List<Mount> mounts(String key) {
        return ProtoConvert.toApi(call(() -> stub.mounts(MountsRequest.newBuilder()
                .setSnapshotter(snapshotter).setKey(orEmpty(key)).build())).getMountsList());
    }

    @Override
    public List<Mount> prepare(String key, String parent, SnapshotOption... options) {
        SnapshotOption.requireNoParent("prepare", options);
        var req = PrepareSnapshotRequest.newBuilder()
                .setSnapshotter(snapshotter).setKey(orEmpty(key)).setParent(orEmpty(parent))
                .putAllLabels(SnapshotOption.labelsOf(options))
                .build();
        return ProtoConvert.toApi(call(() -> stub.prepare(req)).getMountsList());
    }

    @Override
    public List<Mount> view(String key, String parent, SnapshotOption... options) {
        SnapshotOption.requireNoParent("view", options);
        var req = ViewSnapshotRequest.newBuilder()
                .setSnapshotter(snapshotter).setKey(orEmpty(key)).setParent(orEmpty(parent))
                .putAllLabels(SnapshotOption.labelsOf(options))
                .build();
        return ProtoConvert.toApi(call(() -> stub.view(req)).getMountsList());
    }

    @Override
    public void commit(String name, String key, SnapshotOption... options) {
        var req = CommitSnapshotRequest.newBuilder()
                .setSnapshotter(snapshotter).setName(orEmpty(name)).setKey(orEmpty(key))
                .putAllLabels(SnapshotOption.labelsOf(options))
                .setParent(SnapshotOption.parentOf(options))
                .build();
        call(() -> stub.commit(req));
    }

    @Override
    public Set<String> capabilities() {
        return capabilities;
    }

    @Override
    public void remove(String key) {
        call(() -> stub.remove(RemoveSnapshotRequest.newBuilder()
                .setSnapshotter(snapshotter).setKey(orEmpty(key)).build()));
    }

    @Override
    public void walk(Consumer<Info> fn, String... filters) {
        var req = ListSnapshotsRequest.newBuilder().setSnapshotter(snapshotter).addAllFilters(List.of(filters)).build();
        // The stream belongs to this context: cancelling it ends the call when fn throws or we stop early.
        Context.CancellableContext scope = Context.current().withCancellation();
        try {
            scope.run(() -> call(() -> {
                Iterator<ListSnapshotsResponse> batches = stub.list(req);
                while (batches.hasNext()) {
                    for (var info : batches.next().getInfoList()) {
                        fn.accept(ProtoConvert.toApi(info));
                    }
                }
                return null;
            }));
        } finally {
            scope.cancel(null);
        }
    }

    @Override
    public void cleanup() {
        call(() -> stub.cleanup(CleanupRequest.newBuilder().setSnapshotter(snapshotter).build()));
    }

    /** Closes the channel (waiting briefly for calls in flight), then whatever {@link Builder#alsoClose} named. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        channel.close();
        RuntimeException failure = null;
        for (AutoCloseable c : alsoClose) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new io.strata.api.InternalException("closing " + c + " failed: " + e.getMessage(), e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
