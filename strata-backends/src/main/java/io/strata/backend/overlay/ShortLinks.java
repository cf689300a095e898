package io.strata.backend.overlay;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Short names for upper directories, {@code <root>/l/<id in base 36>} → {@code ../snapshots/<id>/fs},
 * made on demand for deep stacks whose lowerdir option would otherwise not fit in one page.
 * They hold no data: losing them loses nothing, and they are remade when needed.
 */
final class ShortLinks {
    private final Path dir;
    private final Path snapshots;

    ShortLinks(Path dir, Path snapshots) {
        this.dir = dir;
        this.snapshots = snapshots;
    }

    /** Returns the short path of snapshot {@code id}'s upper directory, creating the link if missing. */
    String ensure(long id) {
        Path link = dir.resolve(Long.toString(id, 36));
        if (!Files.isSymbolicLink(link)) {
            try {
                Files.createDirectories(dir);
                Path target = dir.relativize(snapshots.resolve(Long.toString(id)).resolve("fs"));
                Files.createSymbolicLink(link, target);
            } catch (FileAlreadyExistsException raced) {
                // another thread made it: same id, same target
            } catch (IOException e) {
                throw new io.strata.api.InternalException("cannot create short link " + link + ": " + e.getMessage(), e);
            }
        }
        return link.toString();
    }

    void remove(long id) {
        try {
            Files.deleteIfExists(dir.resolve(Long.toString(id, 36)));
        } catch (IOException e) {
            System.getLogger(ShortLinks.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot remove short link of snapshot {0}: {1}", id, e.toString());
        }
    }

    /** Removes links whose snapshot is gone. */
    void removeOrphans(Map<Long, String> live) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                long id;
                try {
                    id = Long.parseLong(p.getFileName().toString(), 36);
                } catch (NumberFormatException e) {
                    id = -1;
                }
                if (!live.containsKey(id)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (NoSuchFileException none) {
            // no deep stack was ever mounted
        } catch (IOException e) {
            System.getLogger(ShortLinks.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot clean short links in {0}: {1}", dir, e.toString());
        }
    }
}
