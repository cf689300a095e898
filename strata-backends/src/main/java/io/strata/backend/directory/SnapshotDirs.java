package io.strata.backend.directory;

import io.strata.fs.FileOps;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code <root>/snapshots} directory of a backend: one directory per snapshot, named by its
 * id, built under a temporary {@code new-*} name and renamed into place.
 *
 * <p>Temporary directories being filled right now are tracked so that a concurrent
 * {@link #orphans} never lists them; anything else whose name is not a live id is an orphan of a
 * crash or of a removal and may be deleted.
 */
public final class SnapshotDirs {
    private static final String TEMP_PREFIX = "new-";

    private final Path dir;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    /** Opens (creating, mode 0700) the {@code snapshots} directory under {@code root}. */
    public SnapshotDirs(Path root) throws IOException {
        this.dir = root.resolve("snapshots");
        Files.createDirectories(dir);
        FileOps.chmod(dir, 0700);
    }

    public Path dir() {
        return dir;
    }

    /** The directory of snapshot {@code id}. */
    public Path of(long id) {
        return dir.resolve(Long.toString(id));
    }

    /** Creates an empty temporary directory (mode 0755) that {@link #orphans} will not list until released. */
    public Path createTemp() throws IOException {
        while (true) {
            String name = TEMP_PREFIX + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
            if (!inFlight.add(name)) {
                continue;
            }
            Path p = dir.resolve(name);
            try {
                Files.createDirectory(p);
                FileOps.chmod(p, 0755);
                return p;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                inFlight.remove(name);
            } catch (IOException | RuntimeException e) {
                inFlight.remove(name);
                throw e;
            }
        }
    }

    /**
     * Renames a temporary directory to the directory of {@code id} and makes the rename durable.
     * A directory already at the target can only be left by a crashed transaction whose id was
     * rolled back and handed out again (the caller holds the write transaction that owns
     * {@code id}), so it is deleted first.
     */
    public Path publish(Path temp, long id) throws IOException {
        Path target = of(id);
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            FileOps.deleteTree(target);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        // The record is committed only after this returns: a committed record never points at a
        // directory that a crash could still take away.
        FileOps.fsync(dir);
        return target;
    }

    /** Marks a temporary directory as no longer being filled (published or abandoned). */
    public void release(Path temp) {
        inFlight.remove(temp.getFileName().toString());
    }

    /** Deletes a temporary directory that will not be published, and releases it. */
    public void discard(Path temp) {
        try {
            FileOps.deleteTree(temp);
        } catch (IOException e) {
            System.getLogger(SnapshotDirs.class.getName()).log(System.Logger.Level.WARNING,
                    "could not remove temporary snapshot directory {0}: {1}", temp, e.toString());
        } finally {
            release(temp);
        }
    }

    /** Directories in {@code snapshots} that belong to no id of {@code ids} and are not in flight. */
    public List<Path> orphans(Map<Long, String> ids) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (inFlight.contains(name)) {
                    continue;
                }
                Long id = parseId(name);
                if (id == null || !ids.containsKey(id)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static Long parseId(String name) {
        if (name.isEmpty() || name.length() > 19) {
            return null;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return null;
            }
        }
        return Long.parseLong(name);
    }
}
