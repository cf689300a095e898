package io.strata.testkit;

import io.strata.api.Mount;
import io.strata.fs.Mounter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A file system of a test's own: a sparse image file, formatted with the real {@code mkfs.<type>},
 * mounted through a loop device, so a backend can be run on a file system other than the one
 * under {@code java.io.tmpdir} (xfs, to exercise reflinks). {@link #close()} unmounts it and
 * deletes the image.
 */
public final class LoopFileSystem implements AutoCloseable {
    private final Path dir;
    private final Path mountPoint;
    private final Map<Path, Path> roots = new LinkedHashMap<>();

    private LoopFileSystem(Path dir, Path mountPoint) {
        this.dir = dir;
        this.mountPoint = mountPoint;
    }

    /** True when {@code mkfs.<type>} is installed. */
    public static boolean canMake(String type) {
        return Files.isExecutable(Path.of("/usr/sbin/mkfs." + type)) || Files.isExecutable(Path.of("/sbin/mkfs." + type));
    }

    /**
     * Makes and mounts a {@code type} file system of {@code megabytes} (sparse) under a new
     * temporary directory; {@code mkfsArgs} go to mkfs before the image path.
     */
    public static LoopFileSystem create(String type, long megabytes, String... mkfsArgs) throws IOException {
        Path dir = Files.createTempDirectory("strata-" + type + "-");
        Path image = dir.resolve(type + ".img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(megabytes << 20);
        }
        List<String> cmd = new ArrayList<>(List.of("mkfs." + type, "-q"));
        cmd.addAll(List.of(mkfsArgs));
        cmd.add(image.toString());
        OciArchive.run(dir, cmd.toArray(String[]::new));
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        Mounter.mountAll(List.of(new Mount(type, image.toString(), List.of("loop"))), mnt);
        return new LoopFileSystem(dir, mnt);
    }

    /**
     * Fills the file system with {@code filler} (a new file on it) until the disk is full, then
     * gives back {@code free} bytes of it, synced; returns the file, which frees the space when deleted.
     */
    public static Path fill(Path filler, long free) throws IOException {
        byte[] chunk = new byte[1 << 20];
        try (var out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            // the disk is full
        }
        try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
            f.setLength(Math.max(0, f.length() - free));
            f.getFD().sync();
        }
        return filler;
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /**
     * A directory on this file system standing in for {@code root} (the same one each time for the
     * same root, for reopen tests). Directories of roots that no longer exist (their test is over)
     * are deleted first, so a long suite does not fill the file system.
     */
    public synchronized Path dirFor(Path root) throws IOException {
        for (var it = roots.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!Files.exists(e.getKey())) {
                Tree.deleteTree(e.getValue());
                it.remove();
            }
        }
        Path d = roots.get(root);
        if (d == null) {
            d = Files.createDirectory(mountPoint.resolve("root-" + roots.size() + "-" + System.nanoTime()));
            roots.put(root, d);
        }
        return d;
    }

    @Override
    public void close() throws IOException {
        Mounter.unmountRecursive(mountPoint);
        Tree.deleteTree(dir);
    }
}
