package io.strata.backend.block;

import io.strata.api.FailedPreconditionException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The two e2fsprogs tools the block backend runs: {@code mkfs.ext4}, once per template, and
 * {@code resize2fs}, when a prepare grows its scratch. Everything else (copies, mounts, loop
 * devices, usage) is done in process. See ADR 0008 for why growing is offline.
 */
final class E2fsprogs {
    private static final List<String> SBIN = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");
    private static final long TIMEOUT_SECONDS = 300;

    private E2fsprogs() {
    }

    /**
     * Formats {@code image} (an existing sparse file of the wanted size) as an empty ext4.
     * <ul>
     *   <li>{@code -b 4096}: page-sized blocks whatever the size (mke2fs picks 1 KiB for small
     *       file systems from its config), so every template has one geometry;
     *   <li>{@code -m 0}: no blocks reserved for root; the scratch size asked for is what the
     *       container gets;
     *   <li>{@code lazy_itable_init=0,lazy_journal_init=0}: inode tables and journal are
     *       initialised now (as holes and unwritten extents, since {@code discard} punches the
     *       file first), so no ext4lazyinit thread writes into every copy after its first mount,
     *       which would make sparse copies dense and usage drift after commit;
     *   <li>{@code root_owner=0:0}: the root directory belongs to root whoever runs this;
     *   <li>{@code -O ^resize_inode}: no descriptor blocks reserved for online growth. mke2fs
     *       reserves room for 1024 times the size, 4 MiB of zeroed blocks in a 10 GiB image that
     *       every copy would carry (a sparse copy of the template: 164 KiB instead of 4.2 MiB);
     *       offline resize2fs grows without them, as fast, and past 1024 times.
     * </ul>
     */
    static void mkfs(Path image) throws IOException {
        run("mkfs.ext4", "-q", "-F", "-b", "4096", "-m", "0", "-O", "^resize_inode",
                "-E", "lazy_itable_init=0,lazy_journal_init=0,discard,root_owner=0:0", image.toString());
    }

    /**
     * Grows the unmounted ext4 in {@code image} to the file's size. {@code -f} skips resize2fs's
     * demand for a fresh e2fsck (every image that was ever mounted has a mount time after its last
     * check); the caller checks the superblock instead: clean journal, no recorded errors.
     */
    static void grow(Path image) throws IOException {
        run("resize2fs", "-f", image.toString());
    }

    private static void run(String tool, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(find(tool).toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        // Read on the side so that a tool that hangs cannot hold the caller past the timeout.
        StringBuilder out = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
            } catch (IOException ignored) {
                // the process was killed
            }
        });
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(tool + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            reader.join();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(tool + " interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
    }

    /** The tool in the system binary directories or on PATH. */
    static Path find(String tool) {
        List<String> dirs = new ArrayList<>(SBIN);
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        for (String d : dirs) {
            Path p = Path.of(d.isEmpty() ? "." : d, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new FailedPreconditionException("the block snapshotter needs " + tool
                + ", which is not installed (install e2fsprogs)");
    }
}
