package io.strata.content.importer;

import io.strata.api.AlreadyExistsException;
import io.strata.api.FailedPreconditionException;
import io.strata.api.NotFoundException;
import io.strata.codec.tar.EntryType;
import io.strata.codec.tar.TarEntry;
import io.strata.codec.tar.TarWriter;
import io.strata.content.ContentInfo;
import io.strata.content.ContentStore;
import io.strata.oci.Descriptor;
import io.strata.oci.ImageDocument;
import io.strata.oci.Index;
import io.strata.oci.Manifest;
import io.strata.oci.MediaTypes;
import io.strata.oci.PlatformMatcher;
import io.strata.oci.json.Json;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes images from a content store as an OCI image layout in a tar, what {@code ctr images
 * export} writes and {@link Importer} (and {@code ctr images import}) reads back to the same
 * digests: the blobs are copied byte for byte, an index keeps its digest even when only some of its
 * platforms are exported, and {@code index.json} names each image with containerd's and OCI's
 * annotations.
 *
 * <p>Guarantees: the archive appears at {@code out} only when complete (it is written under a
 * temporary name beside it, flushed, then renamed); an existing {@code out} is never replaced; a
 * blob the chosen platforms need but the store lacks (say a layer discarded after unpacking) fails
 * the export, naming it, before anything is written.
 */
public final class Exporter {
    private static final Instant EPOCH = Instant.EPOCH;

    private Exporter() {
    }

    /** An image to export: the name {@code index.json} gives it, and its target (index or manifest). */
    public record Named(String name, Descriptor target) {
    }

    /**
     * Exports {@code images} for {@code platforms} (every platform the store holds with
     * {@link PlatformMatcher#all()}) to the tar {@code out}.
     *
     * @throws AlreadyExistsException      if {@code out} exists
     * @throws NotFoundException           if no manifest for the platforms is in the store
     * @throws FailedPreconditionException if a blob the export needs is missing from the store
     */
    public static void exportArchive(ContentStore store, List<Named> images, PlatformMatcher platforms, Path out)
            throws IOException {
        if (Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new AlreadyExistsException(out + " exists; export to a new path");
        }
        Map<String, Descriptor> blobs = new LinkedHashMap<>();
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Named n : images) {
            collect(store, n, n.target(), platforms, blobs);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("mediaType", n.target().mediaType());
            e.put("digest", n.target().digest());
            e.put("size", n.target().size());
            e.put("annotations", Map.of(Descriptor.CONTAINERD_IMAGE_NAME, n.name(),
                    Descriptor.REF_NAME, n.name().substring(n.name().lastIndexOf(':') + 1)));
            entries.add(e);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", entries);

        Path parent = out.toAbsolutePath().getParent();
        Path temp = parent.resolve("." + out.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream os = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
                TarWriter tar = new TarWriter(os);
                file(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
                file(tar, "index.json", Json.writeBytes(index));
                tar.putEntry(TarEntry.of("blobs", EntryType.DIRECTORY, 0755, 0, 0, 0, EPOCH, ""));
                tar.putEntry(TarEntry.of("blobs/sha256", EntryType.DIRECTORY, 0755, 0, 0, 0, EPOCH, ""));
                for (Descriptor d : blobs.values()) {
                    ContentInfo info = store.info(d.digest()).orElseThrow();
                    tar.putEntry(TarEntry.of("blobs/sha256/" + d.digest().substring("sha256:".length()), EntryType.REGULAR,
                            0644, 0, 0, info.size(), EPOCH, ""));
                    try (InputStream in = store.open(d.digest())) {
                        byte[] buf = new byte[1 << 16];
                        for (int r; (r = in.read(buf)) > 0; ) {
                            tar.write(buf, 0, r);
                        }
                    }
                    tar.closeEntry();
                }
                tar.finish();
                os.flush();
                ch.force(true);
            }
            // No REPLACE_EXISTING: a file that appeared at out meanwhile is not overwritten.
            Files.move(temp, out, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void file(TarWriter tar, String name, byte[] bytes) throws IOException {
        tar.putEntry(TarEntry.of(name, EntryType.REGULAR, 0644, 0, 0, bytes.length, EPOCH, ""));
        tar.write(bytes, 0, bytes.length);
        tar.closeEntry();
    }

    private static void collect(ContentStore store, Named image, Descriptor d, PlatformMatcher platforms,
                                Map<String, Descriptor> blobs) throws IOException {
        if (store.info(d.digest()).isEmpty()) {
            throw new FailedPreconditionException("image \"" + image.name() + "\": " + what(d) + " " + d.digest()
                    + " is not in the content store" + (MediaTypes.isLayer(d.mediaType())
                    ? " (its layers were discarded after unpacking?): pull the image again without --discard-unpacked-layers" : ""));
        }
        blobs.putIfAbsent(d.digest(), d);
        if (!MediaTypes.isIndex(d.mediaType()) && !MediaTypes.isManifest(d.mediaType())) {
            return;
        }
        byte[] doc;
        try (InputStream in = store.open(d.digest())) {
            doc = in.readAllBytes();
        }
        switch (ImageDocument.parse(d.mediaType(), doc)) {
            case Index idx -> {
                List<Descriptor> chosen = idx.select(platforms).stream().filter(c -> store.info(c.digest()).isPresent()).toList();
                if (chosen.isEmpty()) {
                    throw new NotFoundException("image \"" + image.name() + "\": no manifest for " + platforms.describe()
                            + " is in the content store; pull it for that platform first");
                }
                for (Descriptor c : platforms instanceof PlatformMatcher.All ? chosen : chosen.subList(0, 1)) {
                    collect(store, image, c, platforms, blobs);
                }
            }
            case Manifest m -> {
                collect(store, image, m.config(), platforms, blobs);
                for (Descriptor layer : m.layers()) {
                    collect(store, image, layer, platforms, blobs);
                }
            }
        }
    }

    private static String what(Descriptor d) {
        if (MediaTypes.isIndex(d.mediaType())) {
            return "index";
        }
        if (MediaTypes.isManifest(d.mediaType())) {
            return "manifest";
        }
        return MediaTypes.isLayer(d.mediaType()) ? "layer" : "blob";
    }
}
