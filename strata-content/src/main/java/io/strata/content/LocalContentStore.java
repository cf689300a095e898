package io.strata.content;

import io.strata.api.AlreadyExistsException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.NotFoundException;
import io.strata.api.UnavailableException;
import io.strata.oci.Digests;
import io.strata.oci.json.Json;
import io.strata.oci.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** The on-disk {@link ContentStore}; see there for the layout. */
final class LocalContentStore implements ContentStore {
    private final Path blobs;
    private final Path labels;
    private final Path ingests;
    /** Refs held by a writer in this JVM; file locks alone throw instead of reporting "held" here. */
    private final Map<String, LocalIngest> held = new ConcurrentHashMap<>();

    LocalContentStore(Path root) {
        this.blobs = root.resolve("blobs/sha256");
        this.labels = root.resolve("labels/sha256");
        this.ingests = root.resolve("ingest");
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(labels);
            Files.createDirectories(ingests);
        } catch (IOException e) {
            throw Durable.failure("cannot create content store at " + root, e);
        }
    }

    Path blobPath(String digest) {
        return blobs.resolve(Digests.hex(digest));
    }

    @Override
    public Optional<ContentInfo> info(String digest) {
        Path p = blobPath(digest);
        try {
            var attrs = Files.readAttributes(p, BasicFileAttributes.class);
            Instant created = attrs.lastModifiedTime().toInstant();
            Path lp = labels.resolve(p.getFileName());
            Map<String, String> l = Map.of();
            Instant updated = created;
            if (Files.exists(lp)) {
                l = readLabels(lp);
                Instant lt = Files.getLastModifiedTime(lp).toInstant();
                updated = lt.isAfter(created) ? lt : created;
            }
            return Optional.of(new ContentInfo(digest, attrs.size(), created, updated, l));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw Durable.failure("cannot stat " + digest, e);
        }
    }

    private static Map<String, String> readLabels(Path lp) throws IOException {
        return JsonObject.of("labels " + lp.getFileName(), Json.parse(Files.readAllBytes(lp))).stringMap("labels");
    }

    @Override
    public InputStream open(String digest) {
        return open(digest, 0);
    }

    @Override
    public InputStream open(String digest, long offset) {
        Path p = blobPath(digest);
        try {
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
            long size = ch.size();
            if (offset < 0 || offset > size) {
                ch.close();
                throw new InvalidArgumentException("offset " + offset + " outside blob " + digest + " of size " + size);
            }
            ch.position(offset);
            return Channels.newInputStream(ch);
        } catch (NoSuchFileException e) {
            throw new NotFoundException("content " + digest + ": not found");
        } catch (IOException e) {
            throw Durable.failure("cannot open " + digest, e);
        }
    }

    @Override
    public List<ContentInfo> list() {
        var out = new ArrayList<ContentInfo>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(blobs)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.length() == 64 && !name.startsWith(".")) {
                    info("sha256:" + name).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            throw Durable.failure("cannot list content", e);
        }
        out.sort(Comparator.comparing(ContentInfo::digest));
        return out;
    }

    @Override
    public void delete(String digest) {
        Path p = blobPath(digest);
        try {
            // Blob first: a crash after it leaves only a stray labels file, which nothing reads
            // without its blob and the next commit of that digest overwrites.
            if (!Files.deleteIfExists(p)) {
                throw new NotFoundException("content " + digest + ": not found");
            }
            Files.deleteIfExists(labels.resolve(p.getFileName()));
            Durable.syncDir(blobs);
        } catch (IOException e) {
            throw Durable.failure("cannot delete " + digest, e);
        }
    }

    @Override
    public ContentInfo updateLabels(String digest, Map<String, String> newLabels) {
        Path p = blobPath(digest);
        if (!Files.exists(p)) {
            throw new NotFoundException("content " + digest + ": not found");
        }
        try {
            writeLabels(p.getFileName().toString(), newLabels);
        } catch (IOException e) {
            throw Durable.failure("cannot write labels of " + digest, e);
        }
        return info(digest).orElseThrow(() -> new NotFoundException("content " + digest + ": deleted meanwhile"));
    }

    void writeLabels(String hex, Map<String, String> l) throws IOException {
        Path lp = labels.resolve(hex);
        if (l.isEmpty()) {
            Files.deleteIfExists(lp);
            Durable.syncDir(labels);
            return;
        }
        Durable.writeAtomically(lp, Json.writeBytes(Map.of("labels", new TreeMap<>(l))));
    }

    @Override
    public Ingest writer(String ref, long expectedSize, Optional<String> expectedDigest) {
        if (ref == null || ref.isEmpty()) {
            throw new InvalidArgumentException("ingest ref must not be empty");
        }
        if (expectedSize < -1) {
            throw new InvalidArgumentException("expected size must be -1 (unknown) or >= 0, not " + expectedSize);
        }
        expectedDigest.ifPresent(Digests::require);
        if (expectedDigest.isPresent() && Files.exists(blobPath(expectedDigest.get()))) {
            throw new AlreadyExistsException("content " + expectedDigest.get() + ": already exists");
        }
        return hold(ref, expectedSize, expectedDigest);
    }

    private LocalIngest hold(String ref, long expectedSize, Optional<String> expectedDigest) {
        Path dir = ingestDir(ref);
        LocalIngest[] created = new LocalIngest[1];
        held.compute(ref, (k, existing) -> {
            if (existing != null) {
                throw new UnavailableException("ingest ref \"" + ref + "\" is locked by another writer");
            }
            created[0] = openIngest(ref, dir, expectedSize, expectedDigest);
            return created[0];
        });
        return created[0];
    }

    private LocalIngest openIngest(String ref, Path dir, long expectedSize, Optional<String> expectedDigest) {
        FileLock lock = null;
        FileChannel lockCh = null;
        try {
            Files.createDirectories(dir);
            lockCh = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = lockCh.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                lockCh.close();
                throw new UnavailableException("ingest ref \"" + ref + "\" is locked by another process");
            }
            Path meta = dir.resolve("meta");
            if (Files.exists(meta)) {
                var m = JsonObject.of("ingest " + ref, Json.parse(Files.readAllBytes(meta)));
                long oldSize = m.longValue("total");
                Optional<String> oldDigest = m.optString("expected");
                if (oldSize != expectedSize || !oldDigest.equals(expectedDigest)) {
                    throw new InvalidArgumentException("ingest ref \"" + ref + "\" was started for size " + oldSize
                            + " digest " + oldDigest.orElse("(none)") + ", not size " + expectedSize + " digest "
                            + expectedDigest.orElse("(none)") + "; abort it first");
                }
            } else {
                var m = new TreeMap<String, Object>();
                m.put("ref", ref);
                m.put("total", expectedSize);
                m.put("startedat", Instant.now().toString());
                expectedDigest.ifPresent(d -> m.put("expected", d));
                Durable.writeAtomically(meta, Json.writeBytes(m));
            }
            return new LocalIngest(this, ref, dir, lockCh, lock, expectedSize, expectedDigest);
        } catch (IOException e) {
            closeQuietly(lockCh);
            throw Durable.failure("cannot open ingest " + ref, e);
        } catch (RuntimeException e) {
            closeQuietly(lockCh);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Closing a lock file cannot lose data.
            }
        }
    }

    /** Called by a LocalIngest once it no longer holds its ref. */
    void released(LocalIngest ingest) {
        held.remove(ingest.ref(), ingest);
    }

    Path ingestDir(String ref) {
        return ingests.resolve(Digests.hex(Digests.of(ref.getBytes(StandardCharsets.UTF_8))));
    }

    Path blobsDir() {
        return blobs;
    }

    @Override
    public List<IngestStatus> listIngests() {
        var out = new ArrayList<IngestStatus>();
        try (Stream<Path> dirs = Files.list(ingests)) {
            for (Path dir : dirs.toList()) {
                Path meta = dir.resolve("meta");
                if (!Files.exists(meta)) {
                    continue; // half-created by a crash; abortIngest or a new writer cleans it
                }
                var m = JsonObject.of("ingest " + dir.getFileName(), Json.parse(Files.readAllBytes(meta)));
                Path data = dir.resolve("data");
                long offset = Files.exists(data) ? Files.size(data) : 0;
                Instant started = Instant.parse(m.string("startedat"));
                Instant updated = Files.exists(data) ? Files.getLastModifiedTime(data).toInstant() : started;
                out.add(new IngestStatus(m.string("ref"), offset, m.longValue("total"), m.optString("expected"),
                        started, updated));
            }
        } catch (IOException e) {
            throw Durable.failure("cannot list ingests", e);
        }
        out.sort(Comparator.comparing(IngestStatus::ref));
        return out;
    }

    @Override
    public void abortIngest(String ref) {
        Path dir = ingestDir(ref);
        if (!Files.exists(dir.resolve("meta"))) {
            throw new NotFoundException("ingest ref \"" + ref + "\": not found");
        }
        JsonObject m;
        try {
            m = JsonObject.of("ingest " + ref, Json.parse(Files.readAllBytes(dir.resolve("meta"))));
        } catch (IOException e) {
            throw Durable.failure("cannot read ingest " + ref, e);
        }
        hold(ref, m.longValue("total"), m.optString("expected")).abort();
    }

    @Override
    public void close() {
        // Nothing is cached; writers release their own refs.
    }
}
