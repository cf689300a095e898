package io.strata.daemon;

import io.strata.api.InternalException;
import io.strata.api.UnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The daemon's claim on a state root: an exclusive {@code flock}-style lock on
 * {@code <root>/daemon.lock}, holding the owner's pid. Two daemons on one root would each take
 * the other's snapshots for orphans; the second is refused while the first lives. The kernel
 * drops the lock when its holder dies, however it dies, so a crash never leaves the root locked.
 */
public final class StateRootLock implements AutoCloseable {
    static final String FILE = "daemon.lock";
    private final FileChannel channel;
    private final FileLock lock;

    private StateRootLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code stateRoot}, creating the directory if needed.
     *
     * @throws UnavailableException if another live process holds it (the message names its pid)
     * @throws InternalException    if the lock file cannot be opened
     */
    public static StateRootLock acquire(Path stateRoot) {
        Path file = stateRoot.resolve(FILE);
        FileChannel ch = null;
        try {
            Files.createDirectories(stateRoot);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                String holder = readHolder(ch);
                ch.close();
                throw new UnavailableException("state root " + stateRoot + " is in use by another strata daemon"
                        + (holder.isEmpty() ? "" : " (pid " + holder + ")") + "; stop it or use another --root");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new StateRootLock(ch, lock);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new InternalException("cannot lock state root " + stateRoot + " (" + file + "): " + e.getMessage(), e);
        }
    }

    private static String readHolder(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(32);
        ch.read(buf, 0);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    /** Releases the lock. The file stays: removing it would race with the next daemon's open. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
    }
}
