package io.strata.daemon;

import io.strata.api.InternalException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Records whether the last daemon on a state root stopped cleanly: {@code <root>/daemon.running}
 * exists from the moment a daemon starts serving until it has closed its stores. Finding it at
 * start means the previous daemon crashed or was killed, which is when the start-up consistency
 * check is worth its time. Call only while holding the {@link StateRootLock}.
 */
public final class StopMarker {
    static final String FILE = "daemon.running";
    private final Path file;

    private StopMarker(Path file) {
        this.file = file;
    }

    /** The marker of {@code stateRoot}. */
    public static StopMarker of(Path stateRoot) {
        return new StopMarker(stateRoot.resolve(FILE));
    }

    /** Whether a daemon started on this root and never stopped cleanly. */
    public boolean previousStopWasUnclean() {
        return Files.exists(file);
    }

    /** Marks the root as in use, durably (created and fsynced). */
    public void markRunning() {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            throw new InternalException("cannot create " + file + ": " + e.getMessage(), e);
        }
        // The name must survive a power cut too, or the next start would skip its check.
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            throw new InternalException("cannot create " + file + ": " + e.getMessage(), e);
        }
    }

    /** Marks a clean stop: every store is closed. */
    public void markStopped() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new InternalException("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }
}
