package io.strata.cli;

import io.strata.api.InvalidArgumentException;
import io.strata.api.Snapshotter;
import io.strata.api.UnavailableException;
import io.strata.backend.Backends;
import io.strata.backend.BlockOptions;
import io.strata.backend.Fsck;
import io.strata.daemon.ContainerdConfig;
import io.strata.daemon.DeferredSnapshotter;
import io.strata.daemon.SdNotify;
import io.strata.daemon.ServerUuid;
import io.strata.daemon.SocketActivation;
import io.strata.daemon.StateRootLock;
import io.strata.daemon.StopMarker;
import io.strata.daemon.SystemdUnits;
import io.strata.events.EventJournal;
import io.strata.grpc.ContainerdContent;
import io.strata.grpc.StrataServer;
import io.strata.image.diff.ContentDirectory;
import io.strata.image.diff.LayerApplication;
import io.strata.image.diff.MountScope;
import io.strata.oci.Platform;
import io.strata.service.NamespaceMode;
import java.io.PrintWriter;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata daemon}: serves containerd's snapshots API on a unix socket, so that containerd
 * (through {@code [proxy_plugins]}), ctr, or Strata's own client use Strata's backends, and
 * containerd's Diff API, so that containerd unpacks layers with Strata's applier.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = "Serve containerd's snapshots and diff gRPC APIs on a unix socket.")
final class DaemonCommand implements Callable<Integer> {
    static final String DEFAULT_ADDRESS = "/run/strata/strata.sock";
    static final String DEFAULT_ROOT = "/var/lib/strata";
    static final String DEFAULT_CONTAINERD_ROOT = "/var/lib/containerd";
    static final String DEFAULT_CONTAINERD_ADDRESS = "/run/containerd/containerd.sock";

    @Option(names = "--address", description = "Unix socket to serve on (default " + DEFAULT_ADDRESS + ").")
    String address;
    @Option(names = "--root", description = "State directory (default " + DEFAULT_ROOT + ").")
    Path root;
    @Option(names = "--config", description = "Optional config file (keys: root, address, log_level, namespaces, snapshotters,"
            + " block_scratch_size, containerd_root, containerd_address).")
    Path config;
    @Option(names = "--log-level", description = "debug, info, warn or error (default warn: quiet).")
    String logLevel;
    @Option(names = "--namespaces", description = "ignore (behind containerd, which puts namespaces in keys; default) "
            + "or isolate (standalone: the containerd-namespace header gives each namespace its own keys).")
    String namespaces;
    @Option(names = "--snapshotters", split = ",", description = "Backends to serve (default overlayfs,native,block).")
    List<String> snapshotters;
    @Option(names = "--block-scratch-size", description = "Size of a new block snapshot without parent, e.g. 10G"
            + " (default 10G); size labels grow it per prepare.")
    String blockScratchSize;
    @Option(names = "--containerd-root", description = "containerd's root, whose content directory the differ reads layer"
            + " blobs from and whose snapshots it may write (default " + DEFAULT_CONTAINERD_ROOT + ").")
    Path containerdRoot;
    @Option(names = "--containerd-address", description = "containerd's socket, for reading blobs through its Content API"
            + " where its content directory is not readable (default " + DEFAULT_CONTAINERD_ADDRESS + ").")
    String containerdAddress;
    @Option(names = "--differ", negatable = true, description = "With --print-containerd-config: make Strata containerd's"
            + " differ too (default: yes, unless containerd --version is older than 1.7, which loads no proxy differ).")
    Boolean differ;
    @Option(names = "--print-containerd-config", description = "Print containerd's config for Strata (proxy plugins,"
            + " transfer unpack targets, CRI snapshotter) and exit.")
    boolean printContainerdConfig;
    @Option(names = "--format", paramLabel = "v2|v3", description = "Config version for --print-containerd-config:"
            + " v2 (containerd 1.x) or v3 (containerd 2.x); default: from containerd --version.")
    String format;
    @Option(names = "--print-systemd-units", description = "Print strata.socket and strata.service (socket activation,"
            + " Type=notify) for this --address and --root, and exit.")
    boolean printSystemdUnits;
    @Spec
    CommandSpec spec;

    /**
     * The options a plain start may carry, parsed without picocli ({@link PlainOptions}); the
     * printing options and {@code --format} go through picocli.
     */
    static final List<PlainOptions.Plain<DaemonCommand>> PLAIN = List.of(
            PlainOptions.Plain.value("--address", (c, v) -> c.address = v),
            PlainOptions.Plain.value("--root", (c, v) -> c.root = Path.of(v)),
            PlainOptions.Plain.value("--config", (c, v) -> c.config = Path.of(v)),
            PlainOptions.Plain.value("--log-level", (c, v) -> c.logLevel = v),
            PlainOptions.Plain.value("--namespaces", (c, v) -> c.namespaces = v),
            PlainOptions.Plain.value("--snapshotters", (c, v) -> c.snapshotters = List.of(v.split(",", -1))),
            PlainOptions.Plain.value("--block-scratch-size", (c, v) -> c.blockScratchSize = v),
            PlainOptions.Plain.value("--containerd-root", (c, v) -> c.containerdRoot = Path.of(v)),
            PlainOptions.Plain.value("--containerd-address", (c, v) -> c.containerdAddress = v));

    private final CountDownLatch started = new CountDownLatch(1);
    private volatile StrataServer server;
    private final SdNotify notify = SdNotify.fromEnvironment();

    @Override
    public Integer call() throws Exception {
        DaemonConfig file = config == null ? new DaemonConfig(Map.of()) : DaemonConfig.read(config);
        String addr = address != null ? address : file.get("address", DEFAULT_ADDRESS);
        Path stateRoot = (root != null ? root : Path.of(file.get("root", DEFAULT_ROOT))).toAbsolutePath();
        List<String> backends = snapshotters != null ? snapshotters : file.list("snapshotters", Backends.NAMES);
        NamespaceMode mode = namespaceMode(namespaces != null ? namespaces : file.get("namespaces", "ignore"));
        String scratch = blockScratchSize != null ? blockScratchSize : file.get("block_scratch_size", "");
        BlockOptions block = scratch.isEmpty() ? BlockOptions.DEFAULTS
                : BlockOptions.DEFAULTS.withScratchSize(BlockOptions.parseSize(scratch));
        if (printContainerdConfig || printSystemdUnits) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(printContainerdConfig ? containerdConfig(addr, backends).print()
                    : new SystemdUnits(Launcher.command(), Path.of(addr).toAbsolutePath(), stateRoot).print());
            out.flush();
            return 0;
        }
        Path ctrRoot = (containerdRoot != null ? containerdRoot : Path.of(file.get("containerd_root", DEFAULT_CONTAINERD_ROOT)))
                .toAbsolutePath();
        Path ctrSocket = Path.of(containerdAddress != null ? containerdAddress
                : file.get("containerd_address", DEFAULT_CONTAINERD_ADDRESS)).toAbsolutePath();
        Logging.configure(logLevel != null ? logLevel : file.get("log_level", "warn"), System.err);
        System.Logger log = System.getLogger("io.strata.daemon");
        for (String b : backends) {
            Backends.backendRoot(b, stateRoot); // an unknown name or a shared root fails here, before serving
        }
        Optional<ServerSocketChannel> activated = SocketActivation.listener(System.getenv());

        StateRootLock lock = StateRootLock.acquire(stateRoot);
        StopMarker marker = StopMarker.of(stateRoot);
        boolean unclean = marker.previousStopWasUnclean();
        // Backends and the journal open in the background once the socket serves; a call for one waits
        // until it is open. Opening them after the server starts, not beside it, leaves both cores to the
        // server: a client that reconnects while the daemon restarts (containerd) gets its HTTP/2
        // handshake within the one second grpc-go allows it, and its call then waits for the backend.
        ExecutorService opener = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("strata-open-", 0).factory());
        List<Runnable> afterServing = new ArrayList<>();
        Runnable openAll = () -> {
            afterServing.forEach(opener::execute);
            afterServing.clear();
            opener.shutdown();
        };
        Map<String, Snapshotter> served = new LinkedHashMap<>();
        for (String b : backends) {
            Snapshotter sn = DeferredSnapshotter.open(b, Backends.capabilities(b), () -> openBackend(b, stateRoot, block, unclean, log),
                    afterServing::add);
            served.put(b, sn);
            served.put(ContainerdConfig.snapshotterName(b), sn);
        }
        // containerd sends the proxy plugin's own name: "strata" means the first backend.
        served.put("strata", served.get(backends.getFirst()));
        try {
            marker.markRunning();
            // The journal too: its first SQLite open loads the native library, a tenth of a second.
            var journal = CompletableFuture.supplyAsync(() -> EventJournal.openIn(stateRoot), afterServing::add);
            StrataServer s = StrataServer.create(Path.of(addr), served, mode, journal);
            activated.ifPresent(s::inheriting);
            s.uuid(ServerUuid.of(stateRoot));
            s.differ(new LayerApplication(new ContentDirectory(ctrRoot), Optional.of(new ContainerdContent(ctrSocket)),
                    new MountScope(List.of(stateRoot, ctrRoot))));
            server = s.start();
            openAll.run();
        } catch (java.net.BindException e) {
            opener.shutdown(); // what never started opening is called off by close
            abandon(served.values(), lock, unclean ? null : marker);
            throw new UnavailableException("socket " + addr + " is served by another daemon; stop it or use another --address");
        } catch (RuntimeException | java.io.IOException e) {
            opener.shutdown();
            abandon(served.values(), lock, unclean ? null : marker);
            throw e;
        }
        Thread hook = new Thread(this::stop, "strata-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Map<sun.misc.Signal, sun.misc.SignalHandler> previous = Signals.onTermination(this::stop);
        String where = activated.isPresent() ? "socket-activated " + addr : addr;
        log.log(System.Logger.Level.INFO, "serving snapshotters {0} from {1} on {2} (namespaces: {3})",
                backends, stateRoot, where, mode.toString().toLowerCase(Locale.ROOT));
        notify.ready("serving " + String.join(",", backends) + " on " + addr);
        started.countDown();
        server.awaitTermination();
        previous.forEach(sun.misc.Signal::handle);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it stops the server
        }
        marker.markStopped();
        lock.close();
        log.log(System.Logger.Level.INFO, "stopped");
        return 0;
    }

    /** A start that failed before serving: close what opened, and leave the root as it was found. */
    private static void abandon(java.util.Collection<Snapshotter> served, StateRootLock lock, StopMarker cleanBefore) {
        new java.util.LinkedHashSet<>(served).forEach(Snapshotter::close);
        if (cleanBefore != null) {
            cleanBefore.markStopped();
        }
        lock.close();
    }

    /**
     * Opens one backend. After an unclean stop {@link Fsck} (check only) runs first, before the
     * backend takes calls, so that it sees a store nobody changes; each finding is logged and the
     * operator learns what {@code strata fsck --repair} would do. A clean stop skips the check.
     */
    private static Snapshotter openBackend(String backend, Path stateRoot, BlockOptions block, boolean unclean,
                                           System.Logger log) {
        if (unclean && Fsck.exists(backend, stateRoot)) {
            Fsck.Report r = Fsck.run(backend, stateRoot, Fsck.Options.CHECK);
            for (Fsck.Finding f : r.findings()) {
                log.log(System.Logger.Level.WARNING, "fsck {0}: {1}", backend, f);
            }
            if (!r.clean()) {
                log.log(System.Logger.Level.WARNING, "fsck {0}: {1} problem(s) after an unclean stop; stop the daemon"
                        + " and run strata fsck --repair --root {2}", backend, r.findings().size(), stateRoot);
            }
        }
        try {
            return Backends.open(backend, stateRoot, block);
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.ERROR, "snapshotter {0} could not be opened: {1}", backend, e.getMessage());
            throw e;
        }
    }

    /** Drains in-flight calls and closes the stores (what SIGTERM and SIGINT do). */
    void stop() {
        StrataServer s = server;
        if (s != null) {
            notify.stopping();
            s.shutdown(StrataServer.DEFAULT_GRACE);
        }
    }

    /** Blocks until the server is serving (for tests that run the daemon in process). */
    boolean awaitStarted(Duration timeout) throws InterruptedException {
        return started.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    static NamespaceMode namespaceMode(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "ignore" -> NamespaceMode.IGNORE;
            case "isolate" -> NamespaceMode.ISOLATE;
            default -> throw new InvalidArgumentException("unknown namespaces mode \"" + s + "\" (want ignore or isolate)");
        };
    }

    private ContainerdConfig containerdConfig(String address, List<String> backends) {
        Optional<String> installed = format != null && differ != null ? Optional.empty() : ContainerdConfig.installedVersion();
        ContainerdConfig.Format f;
        if (format != null) {
            f = ContainerdConfig.Format.parse(format);
        } else {
            Optional<Integer> major = installed.flatMap(ContainerdConfig::majorVersion);
            f = major.map(ContainerdConfig.Format::forMajor).orElse(ContainerdConfig.Format.V3);
            if (major.isEmpty()) {
                spec.commandLine().getErr().println("strata: no containerd --version on PATH; printing config version 3"
                        + " (containerd 2.x); use --format v2 for containerd 1.x");
            }
        }
        // Every containerd 2.x loads proxy differs; of 1.x only 1.7 does, and 1.6 refuses to start when
        // its diff service names a differ it did not load.
        boolean asDiffer = differ != null ? differ : f == ContainerdConfig.Format.V3
                || installed.flatMap(ContainerdConfig::version).map(v -> v.major() > 1 || v.minor() >= 7).orElse(true);
        // containerd parses this and normalizes it as Platform does (linux/arm64 is linux/arm64/v8).
        return new ContainerdConfig(f, address, backends, Platform.host().toString(), asDiffer);
    }
}
