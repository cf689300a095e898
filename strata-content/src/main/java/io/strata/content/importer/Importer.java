package io.strata.content.importer;

import io.strata.api.InvalidArgumentException;
import io.strata.api.NotFoundException;
import io.strata.codec.compress.Compression;
import io.strata.codec.compress.Decompression;
import io.strata.codec.tar.EntryType;
import io.strata.codec.tar.TarEntry;
import io.strata.codec.tar.TarReader;
import io.strata.content.BlobWriter;
import io.strata.content.ContentInfo;
import io.strata.content.ContentStore;
import io.strata.oci.Descriptor;
import io.strata.oci.Digests;
import io.strata.oci.ImageConfig;
import io.strata.oci.ImageDocument;
import io.strata.oci.Index;
import io.strata.oci.Manifest;
import io.strata.oci.MediaTypes;
import io.strata.oci.Reference;
import io.strata.oci.json.Json;
import io.strata.oci.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Imports an OCI image layout (a directory, or a tar of one, possibly compressed) or a
 * {@code docker save} archive into a {@link ContentStore}.
 *
 * <p>Guarantees: every blob is stored only after its digest (and size, when a descriptor gives
 * one) was verified; every descriptor reachable from the archive's images is present in the
 * store when the import returns, except manifests an index lists that the archive does not
 * carry (exports of a single platform leave those out, as containerd's do). A manifest or index
 * whose content contradicts its media type is refused. No image names are recorded anywhere.
 *
 * <p>A {@code docker save} archive (has {@code manifest.json}, no {@code index.json}) is converted
 * the way containerd's importer does: each image becomes a Docker v2 schema 2 manifest written by
 * this importer and stored, with the config blob and one layer per {@code Layers} entry
 * (uncompressed layers are checked against the config's {@code diff_ids}).
 *
 * <p>Blobs of a tar are stored as they stream past, before {@code index.json} may have been seen,
 * so a failed import can leave verified but unreferenced blobs: garbage collection removes them.
 */
public final class Importer {
    private static final int MAX_METADATA = ImageDocument.MAX_SIZE;

    private Importer() {}

    /**
     * Imports {@code dirOrTar}.
     *
     * @return the images the archive names, in archive order
     * @throws InvalidArgumentException for a malformed archive, a digest or size mismatch, an
     *     unsupported manifest, or a missing blob
     * @throws NotFoundException if {@code dirOrTar} does not exist
     */
    public static List<ImageEntry> importArchive(Path dirOrTar, ContentStore store) throws IOException {
        if (Files.isDirectory(dirOrTar)) {
            return fromDirectory(dirOrTar, store);
        }
        if (!Files.exists(dirOrTar)) {
            throw new NotFoundException("archive " + dirOrTar + ": not found");
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(dirOrTar), 1 << 16)) {
            return fromTar(raw, store);
        }
    }

    // ---- directory ----

    private static List<ImageEntry> fromDirectory(Path dir, ContentStore store) throws IOException {
        Path indexJson = dir.resolve("index.json");
        if (!Files.exists(indexJson)) {
            if (Files.exists(dir.resolve("manifest.json"))) {
                throw new InvalidArgumentException(dir + ": an unpacked docker-save directory; import the tar instead");
            }
            throw new InvalidArgumentException(dir + ": not an OCI image layout (no index.json)");
        }
        checkLayoutVersion(Optional.of(Files.readAllBytes(dir.resolve("oci-layout"))), dir.toString());
        BlobSource source = desc -> {
            Path p = dir.resolve("blobs/sha256").resolve(Digests.hex(desc.digest()));
            if (!Files.isRegularFile(p)) {
                return false;
            }
            try (InputStream in = Files.newInputStream(p)) {
                BlobWriter.write(store, "import-" + desc.digest(), in, desc.size(), Optional.of(desc.digest()));
            }
            return true;
        };
        return ociImages(Files.readAllBytes(indexJson), source, store);
    }

    // ---- tar ----

    private static List<ImageEntry> fromTar(InputStream raw, ContentStore store) throws IOException {
        Map<String, byte[]> small = new HashMap<>();
        Map<String, ContentInfo> files = new HashMap<>();
        try (var plain = Decompression.open(raw); TarReader tar = new TarReader(plain)) {
            InputStream entry = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return tar.read(b, off, len);
                }
            };
            Optional<TarEntry> next;
            while ((next = tar.next()).isPresent()) {
                TarEntry e = next.get();
                if (e.type() != EntryType.REGULAR) {
                    continue;
                }
                String name = clean(e.name());
                if (name.startsWith("blobs/sha256/")) {
                    String digest = "sha256:" + name.substring("blobs/sha256/".length());
                    try {
                        Digests.require(digest);
                    } catch (InvalidArgumentException ex) {
                        throw new InvalidArgumentException("archive entry " + name + ": " + ex.getMessage(), ex);
                    }
                    files.put(name, verified(name, () ->
                            BlobWriter.write(store, "import-" + digest, entry, e.size(), Optional.of(digest))));
                } else if (name.endsWith(".json") || name.equals("oci-layout") || name.equals("repositories")) {
                    if (e.size() > MAX_METADATA) {
                        throw new InvalidArgumentException("archive entry " + name + " is larger than " + MAX_METADATA);
                    }
                    small.put(name, entry.readAllBytes());
                } else if (name.endsWith(".tar") || name.endsWith("/layer")) {
                    // A docker-save layer; its digest is only known once read.
                    files.put(name, verified(name, () ->
                            BlobWriter.write(store, "import-" + name, entry, e.size(), Optional.empty())));
                }
            }
        }
        if (small.containsKey("index.json")) {
            checkLayoutVersion(Optional.ofNullable(small.get("oci-layout")), "archive");
            BlobSource inStore = desc -> store.info(desc.digest()).isPresent();
            return ociImages(small.get("index.json"), inStore, store);
        }
        if (small.containsKey("manifest.json")) {
            return dockerImages(small, files, store);
        }
        throw new InvalidArgumentException("archive is neither an OCI image layout (index.json) nor a docker save"
                + " (manifest.json)");
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static ContentInfo verified(String name, IoSupplier<ContentInfo> write) throws IOException {
        try {
            return write.get();
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException("archive entry " + name + ": " + e.getMessage(), e);
        }
    }

    private static String clean(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        return n;
    }

    private static void checkLayoutVersion(Optional<byte[]> ociLayout, String where) {
        byte[] bytes = ociLayout.orElseThrow(() ->
                new InvalidArgumentException(where + ": OCI layout without an oci-layout file"));
        String v = JsonObject.of("oci-layout", Json.parse(bytes)).string("imageLayoutVersion");
        if (!v.startsWith("1.")) {
            throw new InvalidArgumentException(where + ": unsupported imageLayoutVersion " + v);
        }
    }

    // ---- OCI layout walk ----

    /** Makes a descriptor's blob present in the store; false if the archive does not carry it. */
    private interface BlobSource {
        boolean ensure(Descriptor desc) throws IOException;
    }

    private static List<ImageEntry> ociImages(byte[] indexJson, BlobSource source, ContentStore store)
            throws IOException {
        Index top = Index.parse(MediaTypes.OCI_INDEX, withDefaultType(indexJson));
        var out = new ArrayList<ImageEntry>();
        Set<String> done = new HashSet<>();
        for (Descriptor d : top.manifests()) {
            require(d, source, store, "index.json");
            walk(d, source, store, done);
            String name = d.annotations().getOrDefault(Descriptor.CONTAINERD_IMAGE_NAME,
                    d.annotations().get(Descriptor.REF_NAME));
            out.add(new ImageEntry(Optional.ofNullable(name), d));
        }
        return out;
    }

    /** index.json may omit mediaType (it is optional in the layout spec); read it as an OCI index. */
    private static byte[] withDefaultType(byte[] indexJson) {
        JsonObject o = JsonObject.of("index.json", Json.parse(indexJson));
        if (o.has("mediaType")) {
            return indexJson;
        }
        var m = new java.util.LinkedHashMap<String, Object>(o.map());
        m.put("mediaType", MediaTypes.OCI_INDEX);
        return Json.writeBytes(m);
    }

    private static void require(Descriptor d, BlobSource source, ContentStore store, String parent) throws IOException {
        if (!source.ensure(d)) {
            throw new InvalidArgumentException("blob " + d.digest() + " (" + d.mediaType() + ") referenced by " + parent
                    + " is missing from the archive");
        }
        long size = store.info(d.digest()).orElseThrow().size();
        if (size != d.size()) {
            throw new InvalidArgumentException("blob " + d.digest() + ": size mismatch: " + parent + " says " + d.size()
                    + ", the blob has " + size);
        }
    }

    private static void walk(Descriptor d, BlobSource source, ContentStore store, Set<String> done) throws IOException {
        if (!done.add(d.digest())) {
            return;
        }
        if (MediaTypes.isSchema1(d.mediaType())) {
            throw MediaTypes.schema1Unsupported("manifest " + d.digest());
        }
        if (!MediaTypes.isManifest(d.mediaType()) && !MediaTypes.isIndex(d.mediaType())) {
            return; // some other artifact in index.json: carried as is
        }
        byte[] bytes;
        try (InputStream in = store.open(d.digest())) {
            bytes = in.readAllBytes();
        }
        switch (ImageDocument.parse(d.mediaType(), bytes)) {
            case Index idx -> {
                for (Descriptor child : idx.manifests()) {
                    if (source.ensure(child)) {
                        require(child, source, store, d.digest());
                        walk(child, source, store, done);
                    }
                }
            }
            case Manifest m -> {
                require(m.config(), source, store, d.digest());
                if (MediaTypes.isConfig(m.config().mediaType())) {
                    try (InputStream in = store.open(m.config().digest())) {
                        ImageConfig.parse(in.readAllBytes());
                    }
                }
                for (Descriptor layer : m.layers()) {
                    require(layer, source, store, d.digest());
                }
            }
        }
    }

    // ---- docker save ----

    private static List<ImageEntry> dockerImages(Map<String, byte[]> small, Map<String, ContentInfo> files,
                                                 ContentStore store) throws IOException {
        List<Object> entries = asList(Json.parse(small.get("manifest.json")));
        var out = new ArrayList<ImageEntry>();
        for (Object o : entries) {
            JsonObject e = JsonObject.of("manifest.json[]", o);
            String configPath = clean(e.string("Config"));
            byte[] configBytes = small.get(configPath);
            if (configBytes == null) {
                ContentInfo stored = files.get(configPath);
                if (stored == null) {
                    throw new InvalidArgumentException("manifest.json: config " + configPath + " is missing from the archive");
                }
                try (InputStream in = store.open(stored.digest())) {
                    configBytes = in.readAllBytes();
                }
            }
            ImageConfig config = ImageConfig.parse(configBytes);
            ContentInfo cfg = BlobWriter.write(store, "import-config", new ByteArrayInputStream(configBytes),
                    configBytes.length, Optional.empty());
            List<String> layerPaths = e.strings("Layers");
            if (layerPaths.size() != config.diffIds().size()) {
                throw new InvalidArgumentException("manifest.json lists " + layerPaths.size() + " layers but config "
                        + configPath + " has " + config.diffIds().size() + " diff_ids");
            }
            var layers = new ArrayList<Descriptor>();
            for (int i = 0; i < layerPaths.size(); i++) {
                String path = clean(layerPaths.get(i));
                ContentInfo layer = files.get(path);
                if (layer == null) {
                    throw new InvalidArgumentException("manifest.json: layer " + path + " is missing from the archive");
                }
                Compression c = sniff(store, layer.digest());
                if (c == Compression.NONE && !layer.digest().equals(config.diffIds().get(i))) {
                    throw new InvalidArgumentException("layer " + path + ": digest mismatch: the config's diff_id is "
                            + config.diffIds().get(i) + ", the layer has " + layer.digest());
                }
                String type = switch (c) {
                    case NONE -> MediaTypes.DOCKER_LAYER;
                    case GZIP -> MediaTypes.DOCKER_LAYER_GZIP;
                    case ZSTD -> MediaTypes.DOCKER_LAYER + ".zstd";
                };
                layers.add(Descriptor.of(type, layer.digest(), layer.size()));
            }
            var manifest = new Manifest(MediaTypes.DOCKER_MANIFEST,
                    Descriptor.of(MediaTypes.DOCKER_CONFIG, cfg.digest(), cfg.size()), layers, Map.of());
            byte[] mbytes = manifest.toJson();
            ContentInfo mi = BlobWriter.write(store, "import-manifest", new ByteArrayInputStream(mbytes), mbytes.length,
                    Optional.of(Digests.of(mbytes)));
            Descriptor target = Descriptor.of(MediaTypes.DOCKER_MANIFEST, mi.digest(), mi.size())
                    .withPlatform(config.platform());
            List<String> tags = e.strings("RepoTags");
            if (tags.isEmpty()) {
                out.add(new ImageEntry(Optional.empty(), target));
            }
            for (String tag : tags) {
                out.add(new ImageEntry(Optional.of(Reference.parse(tag).toString()), target));
            }
        }
        return out;
    }

    private static List<Object> asList(Object v) {
        if (v instanceof List<?> l) {
            return List.copyOf(l);
        }
        throw new InvalidArgumentException("manifest.json: expected an array");
    }

    private static Compression sniff(ContentStore store, String digest) {
        try (InputStream in = store.open(digest)) {
            byte[] head = in.readNBytes(Compression.MAGIC_LENGTH);
            return Compression.detect(head, head.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
