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
import java.util.Objects;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * Writes an OCI image layout (what {@code skopeo copy oci:…} pushes and {@code ctr images import}
 * reads) from layer directories. GNU tar makes each layer, so whiteout files ({@code .wh.NAME},
 * {@code .wh..wh..opq}), owners, modes, links and xattrs are carried as a real image carries them;
 * the JDK's gzip or the {@code zstd} tool compresses it. The JSON is written here by hand so that a
 * test can make an image lie: a layer media type that is not what its blob is, a config DiffID
 * that is not its layer's. Test images are built, never downloaded.
 *
 * <p>Not thread-safe: one builder per layout.
 */
public final class ImageLayout {
    /** The media type of OCI layers; compressed ones add {@code +gzip} or {@code +zstd}. */
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    /** How a layer's tar is stored in its blob. */
    public enum Compression {
        NONE(""), GZIP("+gzip"), ZSTD("+zstd");

        private final String suffix;

        Compression(String suffix) {
            this.suffix = suffix;
        }

        /** The OCI layer media type of this compression. */
        public String mediaType() {
            return OCI_LAYER + suffix;
        }
    }

    /** A content-addressed blob of the layout. */
    public record Blob(String digest, long size) {
    }

    /**
     * A layer to build.
     *
     * @param dir          the directory whose contents become the layer's root
     * @param compression  how the blob is compressed
     * @param mediaType    the media type the manifest declares; empty: the true one
     * @param diffId       the DiffID the config declares; empty: the true one
     */
    public record LayerSpec(Path dir, Compression compression, Optional<String> mediaType, Optional<String> diffId) {
        public LayerSpec {
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(compression, "compression");
        }

        public static LayerSpec of(Path dir, Compression compression) {
            return new LayerSpec(dir, compression, Optional.empty(), Optional.empty());
        }

        public static LayerSpec gzip(Path dir) {
            return of(dir, Compression.GZIP);
        }

        public static LayerSpec zstd(Path dir) {
            return of(dir, Compression.ZSTD);
        }

        /** The manifest claims this media type for the layer, whatever the blob is. */
        public LayerSpec declaredAs(String type) {
            return new LayerSpec(dir, compression, Optional.of(type), diffId);
        }

        /** The config claims this DiffID for the layer, whatever its tar hashes to. */
        public LayerSpec withDiffId(String id) {
            return new LayerSpec(dir, compression, mediaType, Optional.of(id));
        }
    }

    /**
     * A layer as built.
     *
     * @param tar        the uncompressed tar (for a reference extraction by GNU tar)
     * @param diffId     the DiffID the config declares
     * @param blob       the blob in the layout
     * @param mediaType  the media type the manifest declares
     */
    public record Layer(Path tar, String diffId, Blob blob, String mediaType) {
    }

    /**
     * One image: a manifest, its config and layers, for {@code platform} ({@code os/arch[/variant]}).
     */
    public record Image(String platform, Blob manifest, Blob config, List<Layer> layers) {
        public Image {
            layers = List.copyOf(layers);
        }

        /** The layers' uncompressed tars, base first. */
        public List<Path> tars() {
            return layers.stream().map(Layer::tar).toList();
        }
    }

    private final Path root;
    private final Path blobs;
    private final Path work;
    private final List<String> entries = new ArrayList<>();
    private int layerCount;

    private ImageLayout(Path root, Path blobs, Path work) {
        this.root = root;
        this.blobs = blobs;
        this.work = work;
    }

    /**
     * Starts a layout at {@code root}; layer tars are written as {@code <work>/layer-<n>.tar},
     * numbered from 0 in the order layers are built.
     */
    public static ImageLayout create(Path root, Path work) throws IOException {
        Path blobs = Files.createDirectories(root.resolve("blobs/sha256"));
        Files.createDirectories(work);
        Files.writeString(root.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        ImageLayout layout = new ImageLayout(root, blobs, work);
        layout.writeIndex();
        return layout;
    }

    /** The layout's directory. */
    public Path root() {
        return root;
    }

    /** Builds an image for {@code platform} whose config runs {@code cmd}; layers base first. */
    public Image image(String platform, List<LayerSpec> layers, List<String> cmd) throws IOException {
        String[] p = platform.split("/");
        if (p.length < 2 || p.length > 3) {
            throw new IllegalArgumentException("platform must be os/arch[/variant], not " + platform);
        }
        List<Layer> built = new ArrayList<>();
        for (LayerSpec spec : layers) {
            built.add(layer(spec));
        }
        StringBuilder config = new StringBuilder("{\"architecture\":").append(quote(p[1])).append(",\"os\":")
                .append(quote(p[0]));
        if (p.length == 3) {
            config.append(",\"variant\":").append(quote(p[2]));
        }
        config.append(",\"config\":{\"Env\":[\"PATH=/bin:/usr/bin\"],\"Cmd\":").append(array(cmd))
                .append("},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":")
                .append(array(built.stream().map(Layer::diffId).toList())).append("}}");
        Blob configBlob = write(config.toString());
        List<String> layerDescriptors = built.stream().map(l -> descriptor(l.mediaType(), l.blob(), "")).toList();
        Blob manifest = write("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + descriptor("application/vnd.oci.image.config.v1+json", configBlob, "") + ",\"layers\":["
                + String.join(",", layerDescriptors) + "]}");
        return new Image(platform, manifest, configBlob, built);
    }

    /** Writes an OCI index of {@code images}, each entry carrying its platform. */
    public Blob index(List<Image> images) throws IOException {
        List<String> manifests = new ArrayList<>();
        for (Image i : images) {
            String[] p = i.platform().split("/");
            String platform = ",\"platform\":{\"architecture\":" + quote(p[1]) + ",\"os\":" + quote(p[0])
                    + (p.length == 3 ? ",\"variant\":" + quote(p[2]) : "") + "}";
            manifests.add(descriptor(OCI_MANIFEST, i.manifest(), platform));
        }
        return write("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":["
                + String.join(",", manifests) + "]}");
    }

    /**
     * Names {@code target} (a manifest or index of {@code mediaType}) {@code refName} in
     * {@code index.json}, and, when given, gives it containerd's image name annotation too.
     */
    public void tag(String refName, String mediaType, Blob target, Optional<String> imageName) throws IOException {
        String annotations = ",\"annotations\":{" + imageName.map(n -> "\"io.containerd.image.name\":" + quote(n) + ",")
                .orElse("") + "\"org.opencontainers.image.ref.name\":" + quote(refName) + "}";
        entries.add(descriptor(mediaType, target, annotations));
        writeIndex();
    }

    private void writeIndex() throws IOException {
        Files.writeString(root.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[" + String.join(",", entries)
                + "]}");
    }

    private Layer layer(LayerSpec spec) throws IOException {
        Path tar = work.resolve("layer-" + layerCount++ + ".tar");
        // Reproducible: the same directory gives the same layer (pax headers without the pid, atime or ctime).
        OciArchive.run(work, "tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "--sort=name", "--format=pax",
                "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
                "-C", spec.dir().toString(), "-cf", tar.toString(), ".");
        Blob blob = switch (spec.compression()) {
            case NONE -> copyIn(tar);
            case GZIP -> gzipIn(tar);
            case ZSTD -> {
                Path zst = Path.of(tar + ".zst");
                OciArchive.run(work, "zstd", "-q", "-f", "-o", zst.toString(), tar.toString());
                yield copyIn(zst);
            }
        };
        String diffId = spec.diffId().orElse("sha256:" + OciArchive.sha256(tar));
        return new Layer(tar, diffId, blob, spec.mediaType().orElse(spec.compression().mediaType()));
    }

    private Blob gzipIn(Path tar) throws IOException {
        Path tmp = blobs.resolve("tmp-" + System.nanoTime());
        MessageDigest md = sha();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), md);
             GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16);
             InputStream in = Files.newInputStream(tar)) {
            in.transferTo(gz);
        }
        return publish(tmp, HexFormat.of().formatHex(md.digest()));
    }

    private Blob copyIn(Path file) throws IOException {
        Path tmp = blobs.resolve("tmp-" + System.nanoTime());
        Files.copy(file, tmp);
        return publish(tmp, OciArchive.sha256(tmp));
    }

    private Blob publish(Path tmp, String hex) throws IOException {
        long size = Files.size(tmp);
        Path target = blobs.resolve(hex);
        if (Files.exists(target)) {
            Files.delete(tmp); // the same layer twice
        } else {
            Files.move(tmp, target);
        }
        return new Blob("sha256:" + hex, size);
    }

    private Blob write(String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(sha().digest(b));
        Files.write(blobs.resolve(hex), b);
        return new Blob("sha256:" + hex, b.length);
    }

    private static String descriptor(String mediaType, Blob blob, String more) {
        return "{\"mediaType\":" + quote(mediaType) + ",\"digest\":\"" + blob.digest() + "\",\"size\":" + blob.size()
                + more + "}";
    }

    private static String array(List<String> values) {
        return "[" + String.join(",", values.stream().map(ImageLayout::quote).toList()) + "]";
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
