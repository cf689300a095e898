package io.strata.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Builds an OCI image archive (an image layout in a tar, what {@code ctr images import} reads)
 * from layer directories, with GNU tar making each layer so that whiteout files
 * ({@code .wh.NAME}, {@code .wh..wh..opq}), owners, modes, links and xattrs are carried as a real
 * image would carry them. Test images are built here, never downloaded.
 */
public final class OciArchive {
    private OciArchive() {
    }

    /**
     * Writes {@code <work>/image.tar}: each directory of {@code layers} (bottom first) becomes a
     * gzip layer ({@code <work>/layer-<i>.tar} keeps its tar); the config runs {@code cmd}; the
     * image is named {@code name} (for example {@code docker.io/library/strata-test:latest}) and
     * its layout stays at {@code <work>/layout}.
     *
     * @return the archive
     */
    public static Path build(Path work, String name, List<Path> layers, List<String> cmd) throws IOException {
        ImageLayout layout = ImageLayout.create(work.resolve("layout"), work);
        ImageLayout.Image image = layout.image("linux/amd64", layers.stream().map(ImageLayout.LayerSpec::gzip).toList(), cmd);
        layout.tag(name.substring(name.lastIndexOf(':') + 1), ImageLayout.OCI_MANIFEST, image.manifest(), Optional.of(name));
        Path archive = work.resolve("image.tar");
        run(work, "tar", "-C", layout.root().toString(), "-cf", archive.toString(), "oci-layout", "index.json", "blobs");
        return archive;
    }

    /** The hex sha256 of a file. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = ImageLayout.sha();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Runs a command in {@code dir}, failing with its output if it exits non-zero. */
    public static String run(Path dir, String... command) throws IOException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }
}
