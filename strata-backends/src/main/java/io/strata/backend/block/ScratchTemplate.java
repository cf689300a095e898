package io.strata.backend.block;

import io.strata.api.Mount;
import io.strata.fs.CrashPoint;
import io.strata.fs.FileOps;
import io.strata.fs.Mounter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The formatted, empty ext4 image that every snapshot without parent starts as a copy of, as
 * LCOW caches its {@code scratch.vhdx}: {@code <root>/templates/ext4-v1-<bytes>.img}, made the
 * first time it is needed and never written again (mode 0444).
 *
 * <p>Crash order: format and finish a {@code .new-*} file, fsync it, rename it into place, fsync
 * the directory. A crash leaves at worst a {@code .new-*} file (or an empty mount directory), which
 * the next {@link #open} deletes; the template name only ever names a complete template.
 */
final class ScratchTemplate {
    private static final String TEMP_PREFIX = ".new-";
    /** Names how templates are made ({@link E2fsprogs#mkfs}); change it when that changes, so old ones are not reused. */
    private static final String RECIPE = "ext4-v1";

    private final Path dir;
    private final long size;
    private final Path file;
    private volatile boolean ready;

    private ScratchTemplate(Path dir, long size) {
        this.dir = dir;
        this.size = size;
        this.file = dir.resolve(RECIPE + "-" + size + ".img");
    }

    /** The template of {@code size} bytes under {@code root}, removing leftovers of a crashed build. */
    static ScratchTemplate open(Path root, long size) throws IOException {
        Path dir = root.resolve("templates");
        Files.createDirectories(dir);
        FileOps.chmod(dir, 0700);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(Mounter.TEMP_PREFIX)) {
                    Mounter.unmountAll(p, Mounter.UnmountFlag.DETACH);
                    Files.deleteIfExists(p);
                } else if (name.startsWith(TEMP_PREFIX)) {
                    Files.deleteIfExists(p);
                }
            }
        }
        return new ScratchTemplate(dir, size);
    }

    long size() {
        return size;
    }

    /** The template file, formatting it first if this is the first time it is asked for. */
    Path get() throws IOException {
        if (!ready) {
            synchronized (this) {
                if (!Files.exists(file)) {
                    build();
                }
                ready = true;
            }
        }
        return file;
    }

    private void build() throws IOException {
        Path temp = dir.resolve(TEMP_PREFIX + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".img");
        try {
            try (RandomAccessFile f = new RandomAccessFile(temp.toFile(), "rw")) {
                f.setLength(size); // sparse: mkfs writes only metadata
            }
            E2fsprogs.mkfs(temp);
            // mke2fs always makes lost+found; a new snapshot must start as empty as an overlayfs one.
            Mounter.withMounted(List.of(new Mount("ext4", temp.toString(), List.of("loop", "rw"))), dir, mnt -> {
                Files.delete(mnt.resolve("lost+found"));
                FileOps.chmod(mnt, 0755);
                CrashPoint.reach("prepare.template-mounted");
                return null;
            });
            FileOps.chmod(temp, 0444);
            FileOps.fsync(temp);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            FileOps.fsync(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
