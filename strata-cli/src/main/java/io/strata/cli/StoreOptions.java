package io.strata.cli;

import io.strata.api.Namespaces;
import io.strata.api.Snapshotter;
import io.strata.api.UnavailableException;
import io.strata.backend.Backends;
import io.strata.events.EventJournal;
import io.strata.events.Publisher;
import io.strata.grpc.RemoteSnapshotter;
import io.strata.service.SnapshotService;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the snapshots are: in process under {@code --root}, or in a running daemon at
 * {@code --address}; which backend, and which namespace's keys. Shared by every command that opens the store.
 */
final class StoreOptions {
    @Option(names = "--root", defaultValue = "${env:STRATA_ROOT:-/var/lib/strata}",
            description = "State directory, when working in process (default: ${DEFAULT-VALUE}).")
    Path root;

    @Option(names = {"--snapshotter", "-s"}, defaultValue = "${env:STRATA_SNAPSHOTTER:-overlayfs}",
            description = "Backend: overlayfs, native or block (default: ${DEFAULT-VALUE}).")
    String snapshotter;

    @Option(names = {"--address", "-a"}, defaultValue = "${env:STRATA_ADDRESS}",
            description = "Talk to a strata daemon on this unix socket instead of opening the store in process.")
    Path address;

    @Option(names = {"--namespace", "-n"}, defaultValue = "${env:STRATA_NAMESPACE}",
            description = "containerd namespace whose snapshots these are (default: default); sent to the daemon with --address.")
    String namespace;

    String namespace() {
        return namespace == null || namespace.isEmpty() ? Namespaces.DEFAULT : Namespaces.validate(namespace);
    }

    Snapshotter open() {
        String ns = namespace();
        if (address != null) {
            return RemoteSnapshotter.builder(address.toAbsolutePath(), snapshotter).namespace(ns).connect();
        }
        Path r = root.toAbsolutePath();
        Snapshotter backend = Backends.open(snapshotter, r);
        EventJournal journal;
        try {
            journal = EventJournal.openIn(r);
        } catch (UnavailableException e) {
            // Events are notifications (ADR 0011): a journal that cannot be opened must not stop the store.
            System.getLogger("io.strata.cli").log(System.Logger.Level.WARNING,
                    "events will not be published: {0}", e.getMessage());
            return SnapshotService.closing(new SnapshotService(n -> backend, Publisher.NONE).snapshotter(ns, snapshotter), backend);
        }
        try {
            return SnapshotService.closing(new SnapshotService(n -> backend, journal).snapshotter(ns, snapshotter),
                    backend, journal);
        } catch (RuntimeException e) {
            backend.close();
            journal.close();
            throw e;
        }
    }
}
