package io.strata.grpc;

import io.strata.service.NamespaceMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.strata.api.Info;
import io.strata.api.Snapshotter;
import io.strata.api.UnavailableException;
import io.strata.grpc.proto.snapshots.SnapshotsGrpc;
import java.net.BindException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class StrataServerTest {
    // Not the common pool: on two cores it has one thread, and these tasks block.
    private final ExecutorService async = Executors.newVirtualThreadPerTaskExecutor();
    private Path dir;

    @BeforeEach
    void tempDir() throws Exception {
        dir = Files.createTempDirectory("strata-server-");
    }

    @AfterEach
    void cleanUp() throws Exception {
        async.shutdownNow();
        io.strata.testkit.Tree.deleteTree(dir);
    }

    /** A snapshotter that answers stat with an info, records calls, and whose close is recorded. */
    private static Snapshotter recording(List<String> events, CountDownLatch entered, CountDownLatch release) {
        return Harness.fake((p, m, a) -> {
            switch (m.getName()) {
                case "close" -> {
                    events.add("close");
                    return null;
                }
                case "stat" -> {
                    events.add("stat " + a[0]);
                    entered.countDown();
                    assertThat(release.await(30, TimeUnit.SECONDS)).as("released").isTrue();
                    events.add("stat done " + a[0]);
                    return Harness.info((String) a[0]);
                }
                default -> throw new UnsupportedOperationException(m.getName());
            }
        });
    }

    private static Snapshotter idle(List<String> events) {
        CountDownLatch open = new CountDownLatch(0);
        return recording(events, new CountDownLatch(1), open);
    }

    private static ServingStatus health(Path socket, String service) {
        try (UnixChannel ch = new UnixChannel(socket, null)) {
            return HealthGrpc.newBlockingStub(ch.channel()).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
        }
    }

    /** Waits until connecting to the socket fails: the server has stopped accepting. */
    private static void awaitListenerClosed(Path socket) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(socket));
            } catch (java.io.IOException refused) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("server still accepts connections on " + socket);
    }

    @Test
    void healthAnswersServingAndSocketIsPrivate() throws Exception {
        Path socket = dir.resolve("deep/er/strata.sock");
        List<String> events = new CopyOnWriteArrayList<>();
        try (StrataServer server = StrataServer.create(socket, Map.of("fake", idle(events)), NamespaceMode.ISOLATE).start()) {
            assertThat(server.socket()).isEqualTo(socket.toAbsolutePath());
            assertThat(health(socket, "")).isEqualTo(ServingStatus.SERVING);
            assertThat(health(socket, SnapshotsGrpc.SERVICE_NAME)).isEqualTo(ServingStatus.SERVING);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");
            assertThat(((Integer) Files.getAttribute(socket, "unix:mode")) & 0170000).as("a socket").isEqualTo(0140000);
        }
        assertThat(socket).as("removed at shutdown").doesNotExist();
        assertThat(events).as("snapshotters closed at shutdown").containsExactly("close");
    }

    @Test
    void staleSocketFileIsReplaced() throws Exception {
        Path socket = dir.resolve("strata.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).as("the JDK leaves the file behind").exists();
        // Binding over it would fail with "Address already in use": answering proves it was replaced.
        try (StrataServer server = StrataServer.create(socket, Map.of("fake", idle(new CopyOnWriteArrayList<>())),
                NamespaceMode.ISOLATE).start()) {
            assertThat(health(server.socket(), "")).isEqualTo(ServingStatus.SERVING);
        }
    }

    /**
     * containerd's proxy dial backs off for a second after one refused connect: the socket's path
     * must never exist without a listener behind it. A watcher connects the instant the path
     * appears, over twenty starts; not one connect may be refused, and no temporary name is left.
     */
    @Test
    void theSocketPathAppearsOnlyOnceTheServerAnswers() throws Exception {
        Path socket = dir.resolve("strata.sock");
        for (int round = 0; round < 20; round++) {
            CompletableFuture<String> watcher = CompletableFuture.supplyAsync(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!Files.exists(socket)) {
                    if (System.nanoTime() > deadline) {
                        return "never appeared";
                    }
                    Thread.onSpinWait();
                }
                try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    probe.connect(UnixDomainSocketAddress.of(socket));
                    return "connected";
                } catch (java.io.IOException e) {
                    return "refused: " + e;
                }
            }, async);
            try (StrataServer server = StrataServer.create(socket, Map.of("fake", idle(new CopyOnWriteArrayList<>())),
                    NamespaceMode.ISOLATE).start()) {
                assertThat(watcher.get(30, TimeUnit.SECONDS)).as("round %d", round).isEqualTo("connected");
                assertThat(health(server.socket(), "")).isEqualTo(ServingStatus.SERVING);
            }
            try (var left = Files.list(dir)) {
                assertThat(left).as("no temporary socket left after round %d", round).isEmpty();
            }
        }
    }

    /**
     * systemd's socket activation: the listening socket exists before the server, a client that
     * connects then waits in its backlog and is answered once the server starts on it, and the
     * server leaves the socket file to its owner when it stops.
     */
    @Test
    void anInheritedListeningSocketIsServedBacklogIncluded() throws Exception {
        Path socket = dir.resolve("activated.sock");
        List<String> events = new CopyOnWriteArrayList<>();
        ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listening.bind(UnixDomainSocketAddress.of(socket));
        CompletableFuture<ServingStatus> early = CompletableFuture.supplyAsync(() -> health(socket, ""), async);
        assertThatThrownBy(() -> early.get(200, TimeUnit.MILLISECONDS))
                .as("nobody accepts yet: the call waits, it does not fail").isInstanceOf(java.util.concurrent.TimeoutException.class);
        try (StrataServer server = StrataServer.create(socket, Map.of("fake", idle(events)), NamespaceMode.ISOLATE)
                .inheriting(listening).start()) {
            assertThat(early.get(30, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);
            assertThat(health(socket, SnapshotsGrpc.SERVICE_NAME)).isEqualTo(ServingStatus.SERVING);
        }
        assertThat(socket).as("the service manager's socket stays").exists();
        assertThat(listening.isOpen()).as("this process's descriptor is closed").isFalse();
        assertThat(events).containsExactly("close");
    }

    @Test
    void liveServerIsNotReplaced() throws Exception {
        Path socket = dir.resolve("strata.sock");
        List<String> secondEvents = new CopyOnWriteArrayList<>();
        try (StrataServer first = StrataServer.create(socket, Map.of("fake", idle(new CopyOnWriteArrayList<>())),
                NamespaceMode.ISOLATE).start()) {
            StrataServer second = StrataServer.create(socket, Map.of("fake", idle(secondEvents)), NamespaceMode.ISOLATE);
            assertThatThrownBy(second::start).isInstanceOf(BindException.class).hasMessageContaining(socket.toString());
            assertThat(secondEvents).as("a failed start closes what it was given").containsExactly("close");
            assertThat(health(first.socket(), "")).as("the first server still answers").isEqualTo(ServingStatus.SERVING);
            assertThat(second.shutdown(Duration.ZERO)).isTrue();
            assertThat(health(socket, "")).isEqualTo(ServingStatus.SERVING);
        }
    }

    @Test
    void aFileThatIsNotASocketIsLeftAlone() throws Exception {
        Path socket = Files.writeString(dir.resolve("strata.sock"), "precious");
        StrataServer server = StrataServer.create(socket, Map.of("fake", idle(new CopyOnWriteArrayList<>())), NamespaceMode.ISOLATE);
        assertThatThrownBy(server::start).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(socket)).isEqualTo("precious");
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shutdownDrainsInFlightCallsThenClosesSnapshotters() throws Exception {
        Path socket = dir.resolve("strata.sock");
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StrataServer server = StrataServer.create(socket, Map.of("slow", recording(events, entered, release)),
                NamespaceMode.ISOLATE).start();
        try (RemoteSnapshotter client = RemoteSnapshotter.connect(socket, "slow");
             RemoteSnapshotter late = RemoteSnapshotter.connect(socket, "slow")) {
            CompletableFuture<Info> inFlight = CompletableFuture.supplyAsync(() -> client.stat("in-flight"), async);
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Boolean> stopping = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(30)), async);
            awaitListenerClosed(socket);
            // New calls are refused while the old one runs.
            assertThatThrownBy(() -> late.stat("late")).isInstanceOf(UnavailableException.class);
            assertThatThrownBy(() -> stopping.get(200, TimeUnit.MILLISECONDS)).as("still draining")
                    .isInstanceOf(java.util.concurrent.TimeoutException.class);
            assertThat(events).doesNotContain("close");

            release.countDown();
            assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo(Harness.info("in-flight"));
            assertThat(stopping.get(10, TimeUnit.SECONDS)).as("drained within the grace").isTrue();
            assertThat(events).containsExactly("stat in-flight", "stat done in-flight", "close");
            assertThat(socket).doesNotExist();
            server.awaitTermination();
            assertThat(server.shutdown(Duration.ZERO)).as("idempotent").isTrue();
        } finally {
            release.countDown();
        }
    }

    @Test
    void callsStillRunningAfterTheGraceAreCancelled() throws Exception {
        Path socket = dir.resolve("strata.sock");
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StrataServer server = StrataServer.create(socket, Map.of("stuck", recording(events, entered, release)),
                NamespaceMode.ISOLATE).start();
        try (RemoteSnapshotter client = RemoteSnapshotter.connect(socket, "stuck")) {
            CompletableFuture<Info> stuck = CompletableFuture.supplyAsync(() -> client.stat("stuck"), async);
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            long t0 = System.nanoTime();
            // The handler never returns by itself: release it once the server has given up on it
            // and the client has seen its call cancelled.
            stuck.whenComplete((info, failure) -> release.countDown());
            assertThat(server.shutdown(Duration.ofMillis(300))).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            assertThat(stuck).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                    .havingCause().isInstanceOf(UnavailableException.class);
            assertThat(events).contains("close");
        } finally {
            release.countDown();
        }
    }
}
