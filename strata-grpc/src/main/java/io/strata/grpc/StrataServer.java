package io.strata.grpc;

import io.strata.service.NamespaceMode;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.strata.api.Snapshotter;
import io.strata.events.EventJournal;
import io.strata.events.Publisher;
import io.strata.grpc.proto.events.EventsGrpc;
import io.strata.grpc.proto.diff.DiffGrpc;
import io.strata.grpc.proto.snapshots.SnapshotsGrpc;
import io.strata.grpc.proto.version.VersionGrpc;
import io.strata.image.diff.LayerApplication;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server on a unix socket serving {@link SnapshotsService}, containerd's Version service and
 * the standard {@code grpc.health.v1.Health} service, as a containerd proxy snapshotter plugin, and, when
 * {@linkplain #differ given a layer application}, containerd's Diff service as a proxy differ.
 *
 * <p>Guarantees: {@link #start()} creates the socket's directory, replaces a stale socket file
 * (one nobody answers on) but refuses a live one or a file that is not a socket, and leaves the
 * socket at mode 0660. The socket's path appears only once the server answers on it: the server
 * binds a temporary name in the same directory, checks that a client can connect, and renames it
 * into place, so a client never finds a socket that refuses it (containerd's proxy dial would
 * then back off for a second). A server {@linkplain #inheriting handed a listening socket} serves
 * on it instead and leaves its file alone. Calls are served on virtual threads. Health answers SERVING from start
 * until shutdown begins. {@link #shutdown} refuses new calls, lets in-flight calls finish within
 * the grace period (cancelling the rest after it), then closes the snapshotters and removes the
 * socket file; it is idempotent and thread-safe. The server owns the snapshotters it is given: a
 * {@link #start()} that fails has shut the server down and closed them.
 */
public final class StrataServer implements AutoCloseable {
    /** Grace period of {@link #close()}. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    /**
     * Largest message accepted, containerd's default for its gRPC clients and server (16 MiB). A
     * larger request is refused with {@code RESOURCE_EXHAUSTED} before it is parsed; one that does
     * not parse gets {@code INTERNAL "grpc: error unmarshalling request: …"}, as from containerd.
     */
    public static final int MAX_MESSAGE_BYTES = 16 << 20;

    private static final System.Logger LOG = System.getLogger(StrataServer.class.getName());
    private static final Duration AFTER_CANCEL = Duration.ofSeconds(5);

    static {
        // netty's buffer allocators ask JFR whether their events are on; the first ask initializes
        // JFR's event classes and a proxy per annotation, 50 ms of a cold start before the first
        // answer. Who wants the events sets -Dio.netty.jfr.enabled=true.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
    }

    private final Path socket;
    private final Map<String, Snapshotter> snapshotters;
    private final NamespaceMode mode;
    private final CompletableFuture<EventJournal> events;
    private EventsService eventsService;
    private LayerApplication differ;
    private String uuid = java.util.UUID.randomUUID().toString();
    private final HealthStatusManager health = new HealthStatusManager();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private Server server;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private ExecutorService handlers;
    private Object socketIdentity;
    private ServerSocketChannel inherited;
    private boolean started;
    private Boolean drained;

    private StrataServer(Path socket, Map<String, Snapshotter> snapshotters, NamespaceMode mode,
                         CompletableFuture<EventJournal> events) {
        this.socket = socket.toAbsolutePath();
        this.snapshotters = new LinkedHashMap<>(snapshotters);
        this.mode = Objects.requireNonNull(mode, "mode");
        this.events = events;
    }

    /** A server, not yet started, for {@code snapshotters} by name on {@code socket}, without events. */
    public static StrataServer create(Path socket, Map<String, Snapshotter> snapshotters, NamespaceMode mode) {
        return new StrataServer(socket, snapshotters, mode, null);
    }

    /**
     * A server, not yet started, for {@code snapshotters} by name on {@code socket} that publishes
     * snapshot changes to {@code events} and serves containerd's Events service from it. The
     * server closes the journal when it shuts down, as it closes the snapshotters.
     */
    public static StrataServer create(Path socket, Map<String, Snapshotter> snapshotters, NamespaceMode mode,
                                      EventJournal events) {
        return new StrataServer(socket, snapshotters, mode, CompletableFuture.completedFuture(Objects.requireNonNull(events, "events")));
    }

    /**
     * As {@link #create(Path, Map, NamespaceMode, EventJournal)}, with a journal still being
     * opened: the server starts serving at once, and a call that publishes or reads events waits
     * for the journal (a daemon opens it in parallel with binding its socket). A journal that
     * failed to open fails those calls with the cause; snapshot calls still succeed and publish
     * nothing, as when a journal cannot store an event.
     */
    public static StrataServer create(Path socket, Map<String, Snapshotter> snapshotters, NamespaceMode mode,
                                      CompletableFuture<EventJournal> events) {
        return new StrataServer(socket, snapshotters, mode, Objects.requireNonNull(events, "events"));
    }

    /**
     * Serves on {@code listening}, a unix socket already bound and listening (systemd's socket
     * activation), instead of binding {@link #socket()}: connections waiting in its backlog are
     * served once started, and shutdown closes this process's descriptor but never removes the
     * socket file, which belongs to the service manager. Call before {@link #start()}.
     */
    public synchronized StrataServer inheriting(ServerSocketChannel listening) {
        if (started) {
            throw new IllegalStateException("server already started");
        }
        this.inherited = Objects.requireNonNull(listening, "listening");
        return this;
    }

    /**
     * The UUID the Introspection service answers (containerd's {@code ctr version} prints it); a
     * daemon keeps one per state root. Without it the server makes up one for its lifetime. Call
     * before {@link #start()}.
     */
    public synchronized StrataServer uuid(String id) {
        if (started) {
            throw new IllegalStateException("server already started");
        }
        this.uuid = java.util.UUID.fromString(id).toString();
        return this;
    }

    /**
     * Also serves containerd's {@code containerd.services.diff.v1.Diff} with {@code application}
     * ({@link DiffService}), which the server closes when it shuts down. Call before {@link #start()}.
     */
    public synchronized StrataServer differ(LayerApplication application) {
        if (started) {
            throw new IllegalStateException("server already started");
        }
        this.differ = Objects.requireNonNull(application, "application");
        return this;
    }

    /**
     * Binds the socket and starts serving.
     *
     * @throws java.net.BindException               if another server answers on the socket
     * @throws java.nio.file.FileAlreadyExistsException if a file that is not a socket is in the way
     * @throws IllegalStateException                if already started
     */
    public synchronized StrataServer start() throws IOException {
        if (started) {
            throw new IllegalStateException("server already started");
        }
        started = true;
        Path bound = null;
        try {
            NettyServerBuilder builder;
            if (inherited == null) {
                SocketFiles.prepare(socket);
                bound = SocketFiles.temporaryBeside(socket);
                builder = NettyServerBuilder.forAddress(UnixDomainSocketAddress.of(bound))
                        .channelType(NioServerDomainSocketChannel.class);
            } else {
                ServerSocketChannel listening = inherited;
                builder = NettyServerBuilder.forAddress(listening.getLocalAddress())
                        .channelFactory(() -> new InheritedServerChannel(listening));
            }
            boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
            handlers = Executors.newVirtualThreadPerTaskExecutor();
            builder.bossEventLoopGroup(boss)
                    .workerEventLoopGroup(workers)
                    .executor(handlers)
                    .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                    // gRPC always asks for TCP keepalive, which a unix socket lacks; null drops the option.
                    .withChildOption(ChannelOption.SO_KEEPALIVE, null)
                    .addService(new SnapshotsService(snapshotters, mode, events == null ? Publisher.NONE : publisher(events)))
                    .addService(health.getHealthService())
                    .addService(new VersionService(io.strata.api.StrataVersion.current()))
                    .addService(new IntrospectionService(uuid));
            if (events != null) {
                eventsService = new EventsService(events);
                builder.addService(eventsService);
            }
            if (differ != null) {
                builder.addService(new DiffService(differ));
            }
            server = builder.build().start();
            if (bound != null) {
                socketIdentity = SocketFiles.publish(bound, socket);
                bound = null;
            }
        } catch (IOException | RuntimeException e) {
            drained = stop(Duration.ZERO);
            terminated.countDown();
            SocketFiles.deleteQuietly(bound);
            throw e;
        }
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(SnapshotsGrpc.SERVICE_NAME, ServingStatus.SERVING);
        health.setStatus(VersionGrpc.SERVICE_NAME, ServingStatus.SERVING);
        if (eventsService != null) {
            health.setStatus(EventsGrpc.SERVICE_NAME, ServingStatus.SERVING);
        }
        if (differ != null) {
            health.setStatus(DiffGrpc.SERVICE_NAME, ServingStatus.SERVING);
        }
        return this;
    }

    private static Publisher publisher(CompletableFuture<EventJournal> journal) {
        return (namespace, event) -> {
            EventJournal j;
            try {
                j = journal.join();
            } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                LOG.log(System.Logger.Level.WARNING, "event dropped, the journal is not open: " + e.getCause());
                return;
            }
            j.publish(namespace, event);
        };
    }

    /** The socket's absolute path. */
    public Path socket() {
        return socket;
    }

    /** Blocks until {@link #shutdown} has finished. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /**
     * Stops serving: refuses new calls, waits up to {@code grace} for in-flight calls, cancels
     * those still running, then closes the snapshotters and removes the socket file. Later calls
     * wait for the first to finish and return its result.
     *
     * @return whether every in-flight call finished within the grace period
     */
    public boolean shutdown(Duration grace) {
        synchronized (this) {
            if (drained == null) {
                drained = stop(grace);
                terminated.countDown();
            }
            return drained;
        }
    }

    /** {@link #shutdown} with {@link #DEFAULT_GRACE}. */
    @Override
    public void close() {
        shutdown(DEFAULT_GRACE);
    }

    private boolean stop(Duration grace) {
        health.enterTerminalState();
        boolean finished = true;
        if (eventsService != null) {
            eventsService.close();
        }
        if (server != null) {
            server.shutdown();
            finished = await(server, grace);
            if (!finished) {
                server.shutdownNow();
                await(server, AFTER_CANCEL);
            }
        }
        if (handlers != null) {
            // Cancelled handlers may still be inside a snapshotter call; give them a moment to return.
            handlers.shutdown();
            awaitQuietly(handlers);
        }
        if (differ != null) {
            differ.close();
        }
        for (var e : snapshotters.entrySet()) {
            try {
                e.getValue().close();
            } catch (RuntimeException failure) {
                LOG.log(System.Logger.Level.WARNING, "closing snapshotter " + e.getKey() + " failed", failure);
            }
        }
        // A journal still opening is called off (the daemon opens it only once it serves, so a start
        // that failed never began it); an open one is closed.
        if (events != null && !events.cancel(false)) {
            try {
                events.join().close();
            } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException failed) {
                // never opened: nothing to close
            }
        }
        for (EventLoopGroup group : new EventLoopGroup[] {boss, workers}) {
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            }
        }
        try {
            SocketFiles.removeIfSame(socket, socketIdentity);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove socket " + socket + ": " + e);
        }
        return finished;
    }

    private static boolean await(Server server, Duration d) {
        try {
            return server.awaitTermination(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void awaitQuietly(ExecutorService executor) {
        try {
            executor.awaitTermination(AFTER_CANCEL.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
