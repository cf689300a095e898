package io.strata.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Mount;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** File system images for tests: a sparse file, mkfs, mounted through the Mounter's loop option. */
final class Images {
    private Images() {}

    /**
     * Skips the calling test when mkfs.TYPE is missing, except in CI (where .ci/run installs it),
     * where a missing tool is a failure: a path silently untested is worse than a red build.
     */
    static void requireMkfs(String type) {
        boolean present = haveMkfs(type);
        if (!present && System.getenv("CI") != null) {
            throw new AssertionError("mkfs." + type + " must be installed in CI (.ci/run installs it)");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(present, "mkfs." + type + " is not installed");
    }

    static boolean haveMkfs(String type) {
        return Files.isExecutable(Path.of("/usr/sbin/mkfs." + type)) || Files.isExecutable(Path.of("/sbin/mkfs." + type));
    }

    /** Creates a sparse image of {@code megabytes}, formats it and mounts it on {@code mountPoint}. */
    static void mountFresh(String type, Path image, long megabytes, Path mountPoint) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(megabytes << 20);
        }
        Process p = new ProcessBuilder("mkfs." + type, "-q", image.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("mkfs.%s: %s", type, out).isZero();
        Files.createDirectories(mountPoint);
        Mounter.mountAll(List.of(new Mount(type, image.toString(), List.of("loop"))), mountPoint);
    }

    static String fsType(Path mountPoint) throws IOException {
        return MountTable.at(mountPoint).getLast().fsType();
    }
}
