package io.strata.grpc;

import io.strata.service.NamespaceMode;
import io.strata.backend.Backends;
import io.strata.testkit.SnapshotterConformance;
import io.strata.testkit.SnapshotterFixture;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The whole conformance suite through gRPC: each test starts a StrataServer on a unix socket over
 * a real backend on SQLite and talks to it through a RemoteSnapshotter whose close() stops the
 * server. Also run inside an isolated namespace (keys stored with a prefix the client never sees)
 * and with a namespace header the server ignores.
 */
class GrpcConformanceTest extends SnapshotterConformance {

    @Override
    protected Stream<SnapshotterFixture> fixtures() {
        return Stream.of(
                served("overlayfs/grpc", "overlayfs", NamespaceMode.ISOLATE, null),
                served("native/grpc", "native", NamespaceMode.ISOLATE, null),
                served("block/grpc", "block", NamespaceMode.ISOLATE, null),
                served("overlayfs/grpc/namespace-isolated", "overlayfs", NamespaceMode.ISOLATE, "conformance"),
                served("native/grpc/namespace-ignored", "native", NamespaceMode.IGNORE, "conformance"));
    }

    private static SnapshotterFixture served(String fixture, String backend, NamespaceMode mode, String namespace) {
        return SnapshotterFixture.of(fixture, true, root -> {
            // Beside the root, inside the suite's temporary directory, which it deletes.
            Path socket = root.resolveSibling("strata-grpc.sock");
            StrataServer server = StrataServer.create(socket, Map.of(backend, Backends.open(backend, root)), mode).start();
            // As containerd's config declares a proxy plugin's capabilities for it.
            RemoteSnapshotter.Builder client = RemoteSnapshotter.builder(socket, backend)
                    .capabilities(Backends.capabilities(backend)).alsoClose(server);
            if (namespace != null) {
                client.namespace(namespace);
            }
            return client.connect();
        });
    }
}
