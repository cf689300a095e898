package io.strata.cli;

import io.strata.api.Snapshotter;
import io.strata.api.UnavailableException;
import io.strata.backend.Backends;
import io.strata.events.EventJournal;
import io.strata.events.PublishingSnapshotter;
import io.strata.grpc.RemoteSnapshotter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the snapshots are: in process under {@code --root}, or in a running daemon at
 * {@code --address}; and which backend. Shared by every command that opens the store.
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
            description = "containerd namespace: sent to the daemon with --address, else the namespace of the events published (default: default).")
    String namespace;

    Snapshotter open() {
        if (address != null) {
            var b = RemoteSnapshotter.builder(address.toAbsolutePath(), snapshotter);
            if (namespace != null && !namespace.isEmpty()) {
                b.namespace(namespace);
            }
            return b.connect();
        }
        Path r = root.toAbsolutePath();
        Snapshotter sn = Backends.open(snapshotter, r);
        EventJournal journal;
        try {
            journal = EventJournal.openIn(r);
        } catch (UnavailableException e) {
            // Events are notifications (ADR 0011): a journal that cannot be opened must not stop the store.
            System.getLogger("io.strata.cli").log(System.Logger.Level.WARNING,
                    "events will not be published: {0}", e.getMessage());
            return sn;
        }
        try {
            return PublishingSnapshotter.owning(sn, journal,
                    namespace == null || namespace.isEmpty() ? "default" : namespace, snapshotter);
        } catch (RuntimeException e) {
            sn.close();
            journal.close();
            throw e;
        }
    }
}
