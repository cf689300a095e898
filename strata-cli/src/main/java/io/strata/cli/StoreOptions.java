package io.strata.cli;

import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the state lives and which backend to use; shared by every command that opens the store. */
final class StoreOptions {
    @Option(names = "--root", defaultValue = "${env:STRATA_ROOT:-/var/lib/strata}",
            description = "State directory (default: ${DEFAULT-VALUE}).")
    Path root;

    @Option(names = {"--snapshotter", "-s"}, defaultValue = "${env:STRATA_SNAPSHOTTER:-overlayfs}",
            description = "Backend: overlayfs or native (default: ${DEFAULT-VALUE}).")
    String snapshotter;

    Snapshotter open() {
        return Backends.open(snapshotter, root.toAbsolutePath());
    }
}
