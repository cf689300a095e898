package io.strata.backend;

import io.strata.api.FailedPreconditionException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Snapshotter;
import io.strata.backend.BlockOptions;
import io.strata.backend.block.BlockSnapshotter;
import io.strata.backend.directory.DirectorySnapshotter;
import io.strata.backend.nativefs.NativeSnapshotter;
import io.strata.backend.overlay.OverlayOptions;
import io.strata.backend.overlay.OverlaySnapshotter;
import io.strata.metastore.MetaStore;
import io.strata.metastore.SqliteMetaStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Opens a snapshotter backend by its containerd name under a Strata state root. Each backend gets
 * its own directory {@code <stateRoot>/<name>} holding {@code metadata.db} and {@code snapshots/}.
 */
public final class Backends {
    /** Names accepted by {@link #open}, as containerd names its snapshotters. */
    public static final List<String> NAMES = List.of("overlayfs", "native", "block");

    private Backends() {
    }

    /**
     * The containerd capabilities backend {@code name} has, known without opening it: what its
     * snapshotter's {@link Snapshotter#capabilities()} answers, and what a containerd config
     * should declare for it.
     */
    public static Set<String> capabilities(String name) {
        return switch (name) {
            case "overlayfs" -> Set.of(Snapshotter.REBASE);
            case "native", "block" -> Set.of();
            default -> throw unknown(name);
        };
    }

    /** Opens backend {@code name} with a durable SQLite metastore under {@code stateRoot}, with default options. */
    public static Snapshotter open(String name, Path stateRoot) {
        return open(name, stateRoot, BlockOptions.DEFAULTS);
    }

    /** Opens backend {@code name} as {@link #open(String, Path)}; {@code block} is used by the block backend. */
    public static Snapshotter open(String name, Path stateRoot, BlockOptions block) {
        Path root = backendRoot(name, stateRoot);
        return openOn(name, stateRoot, block, SqliteMetaStore.open(root.resolve("metadata.db")));
    }

    /** Opens backend {@code name} on a metastore already open (it takes the store over). */
    static DirectorySnapshotter openOn(String name, Path stateRoot, BlockOptions block, MetaStore store) {
        Path root = backendRoot(name, stateRoot);
        return switch (name) {
            // Short links for deep stacks sit right under the state root: /var/lib/strata/l/<id>.
            case "overlayfs" -> OverlaySnapshotter.open(root, store, OverlayOptions.DEFAULTS.withLinkDir(stateRoot.resolve("l")));
            case "native" -> NativeSnapshotter.open(root, store);
            case "block" -> BlockSnapshotter.open(root, store, block);
            default -> {
                store.close();
                throw unknown(name);
            }
        };
    }

    /** The directory of backend {@code name} under a state root. */
    public static Path backendRoot(String name, Path stateRoot) {
        if (!NAMES.contains(name)) {
            throw unknown(name);
        }
        refuseSharedRoot(stateRoot);
        try {
            java.nio.file.Files.createDirectories(stateRoot.resolve(name));
        } catch (java.io.IOException e) {
            throw new io.strata.api.InternalException("cannot create " + stateRoot.resolve(name) + ": " + e.getMessage(), e);
        }
        return stateRoot.resolve(name);
    }

    /**
     * Refuses a state root that users other than its owner may write: anyone who can rename or
     * plant entries there can swap a snapshot's directory or the database for their own.
     */
    private static void refuseSharedRoot(Path stateRoot) {
        // java.nio, not io.strata.fs.Stat: a daemon calls this before serving, and the FFM calls'
        // set-up is better done off that path.
        try {
            int mode = (Integer) java.nio.file.Files.getAttribute(stateRoot, "unix:mode");
            if ((mode & 0002) != 0) {
                throw new FailedPreconditionException("state root " + stateRoot + " is writable by others (mode "
                        + Integer.toOctalString(mode & 07777) + "); use a directory of its own, or chmod o-w it");
            }
        } catch (java.nio.file.NoSuchFileException missing) {
            // created below with the process's umask, as before
        } catch (java.io.IOException e) {
            throw new io.strata.api.InternalException("cannot stat state root " + stateRoot + ": " + e.getMessage(), e);
        }
    }

    private static InvalidArgumentException unknown(String name) {
        return new InvalidArgumentException("unknown snapshotter \"" + name + "\" (known: " + String.join(", ", NAMES) + ")");
    }
}
