package io.strata.grpc;

import io.strata.service.NamespaceMode;
import io.strata.api.Info;
import io.strata.api.Kind;
import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import io.strata.grpc.proto.snapshots.SnapshotsGrpc;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A StrataServer on a socket in a temporary directory, with clients that are closed with it. */
final class Harness implements AutoCloseable {
    final Path dir;
    final Path socket;
    final Map<String, Snapshotter> backends;
    final StrataServer server;
    private final List<AutoCloseable> clients = new ArrayList<>();

    private Harness(Path dir, Map<String, Snapshotter> backends, NamespaceMode mode) throws IOException {
        this.dir = dir;
        this.socket = dir.resolve("run/strata.sock");
        this.backends = backends;
        this.server = StrataServer.create(socket, backends, mode).start();
    }

    /** A server on every real backend ({@link Backends#NAMES}) under a fresh state root. */
    static Harness withBackends(NamespaceMode mode) throws IOException {
        return withBackends(mode, Backends.NAMES);
    }

    /** A server on the real backends {@code names} under a fresh state root. */
    static Harness withBackends(NamespaceMode mode, List<String> names) throws IOException {
        Path dir = Files.createTempDirectory("strata-grpc-");
        Map<String, Snapshotter> backends = new LinkedHashMap<>();
        for (String name : names) {
            backends.put(name, Backends.open(name, dir.resolve("state")));
        }
        return new Harness(dir, backends, mode);
    }

    /** A server on the given snapshotters. */
    static Harness with(Map<String, Snapshotter> snapshotters, NamespaceMode mode) throws IOException {
        return new Harness(Files.createTempDirectory("strata-grpc-"), snapshotters, mode);
    }

    RemoteSnapshotter remote(String snapshotter) {
        return track(RemoteSnapshotter.connect(socket, snapshotter));
    }

    RemoteSnapshotter remote(String snapshotter, String namespace) {
        return track(RemoteSnapshotter.builder(socket, snapshotter).namespace(namespace).connect());
    }

    /** The generated stub, for what the Java client cannot send; {@code namespace} may be null. */
    SnapshotsGrpc.SnapshotsBlockingStub stub(String namespace) {
        return SnapshotsGrpc.newBlockingStub(channel(namespace).channel());
    }

    UnixChannel channel(String namespace) {
        return track(new UnixChannel(socket, namespace));
    }

    private <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    @Override
    public void close() throws IOException {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort: the server goes next
            }
        }
        server.shutdown(Duration.ofSeconds(5));
        io.strata.testkit.Tree.deleteTree(dir);
    }


    /** A snapshotter whose every method is {@code handler}; close() does nothing unless handled. */
    static Snapshotter fake(InvocationHandler handler) {
        return (Snapshotter) Proxy.newProxyInstance(Harness.class.getClassLoader(), new Class<?>[] {Snapshotter.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "toString" -> "fake snapshotter";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> handler.invoke(proxy, method, args);
                });
    }

    static Info info(String name) {
        Instant t = Instant.parse("2024-05-06T07:08:09.123456789Z");
        return new Info(name, Kind.ACTIVE, Optional.empty(), Map.of(), t, t);
    }
}
