package io.strata.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Builds an OCI image archive (an image layout in a tar, what {@code ctr images import} reads)
 * from layer directories, with GNU tar making each layer so that whiteout files
 * ({@code .wh.NAME}, {@code .wh..wh..opq}), owners, modes, links and xattrs are carried as a real
 * image would carry them. Test images are built here, never downloaded.
 */
public final class OciArchive {
    private OciArchive() {
    }

    /** A blob written into the layout. */
    public record Blob(String digest, long size) {
    }

    /**
     * Writes {@code <work>/image.tar}: each directory of {@code layers} (bottom first) becomes a
     * gzip layer; the config runs {@code cmd}; the image is named {@code name} (for example
     * {@code docker.io/library/strata-test:latest}).
     *
     * @return the archive
     */
    public static Path build(Path work, String name, List<Path> layers, List<String> cmd) throws IOException {
        Path layout = Files.createDirectories(work.resolve("layout"));
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        List<String> diffIds = new ArrayList<>();
        List<Blob> layerBlobs = new ArrayList<>();
        for (Path dir : layers) {
            Path tar = work.resolve("layer-" + diffIds.size() + ".tar");
            run(work, "tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "--sort=name", "--format=pax",
                    "-C", dir.toString(), "-cf", tar.toString(), ".");
            diffIds.add("sha256:" + sha256(tar));
            layerBlobs.add(gzipInto(tar, blobs));
        }
        StringBuilder config = new StringBuilder("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/bin:/usr/bin\"],\"Cmd\":[");
        for (int i = 0; i < cmd.size(); i++) {
            config.append(i > 0 ? "," : "").append(quote(cmd.get(i)));
        }
        config.append("]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[");
        for (int i = 0; i < diffIds.size(); i++) {
            config.append(i > 0 ? "," : "").append(quote(diffIds.get(i)));
        }
        config.append("]}}");
        Blob configBlob = write(blobs, config.toString());
        StringBuilder manifest = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configBlob.digest()
                + "\",\"size\":" + configBlob.size() + "},\"layers\":[");
        for (int i = 0; i < layerBlobs.size(); i++) {
            Blob b = layerBlobs.get(i);
            manifest.append(i > 0 ? "," : "").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"")
                    .append(b.digest()).append("\",\"size\":").append(b.size()).append('}');
        }
        manifest.append("]}");
        Blob manifestBlob = write(blobs, manifest.toString());
        String tag = name.substring(name.lastIndexOf(':') + 1);
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + manifestBlob.digest() + "\",\"size\":"
                + manifestBlob.size() + ",\"annotations\":{\"io.containerd.image.name\":" + quote(name)
                + ",\"org.opencontainers.image.ref.name\":" + quote(tag) + "}}]}");
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Path archive = work.resolve("image.tar");
        run(work, "tar", "-C", layout.toString(), "-cf", archive.toString(), "oci-layout", "index.json", "blobs");
        return archive;
    }

    private static Blob gzipInto(Path tar, Path blobs) throws IOException {
        Path tmp = blobs.resolve("tmp-" + System.nanoTime());
        MessageDigest md = sha();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), md);
             GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16);
             InputStream in = Files.newInputStream(tar)) {
            in.transferTo(gz);
        }
        String hex = HexFormat.of().formatHex(md.digest());
        long size = Files.size(tmp);
        Files.move(tmp, blobs.resolve(hex));
        return new Blob("sha256:" + hex, size);
    }

    private static Blob write(Path blobs, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(sha().digest(b));
        Files.write(blobs.resolve(hex), b);
        return new Blob("sha256:" + hex, b.length);
    }

    /** The hex sha256 of a file. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = sha();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
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
