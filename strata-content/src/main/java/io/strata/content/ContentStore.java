package io.strata.content;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Blobs addressed by digest, as containerd's content store keeps them.
 *
 * <p>Glossary. A <em>blob</em> is an immutable byte sequence named by its sha256 digest
 * ({@code sha256:<hex>}). An <em>ingest</em> is a blob being written under a caller-chosen
 * <em>ref</em> (any string, e.g. {@code "layer-sha256:…"}); it becomes a blob only at
 * {@link Ingest#commit}, after size and digest have been checked. An ingest that was closed
 * without commit can be resumed by opening a writer with the same ref. <em>Labels</em> are
 * string pairs on a blob (garbage-collection references live there) and survive reopening.
 *
 * <p>On disk ({@link #open}): {@code <root>/blobs/sha256/<hex>} (read-only files),
 * {@code <root>/labels/sha256/<hex>} (JSON), {@code <root>/ingest/<sha256(ref)>/…}.
 *
 * <p>Thread-safe; several processes may share a root (ref locks are file locks too).
 * No namespaces here: the metadata layer adds them.
 */
public interface ContentStore extends AutoCloseable {

    /** Opens (creating if needed) the store at {@code root}. */
    static ContentStore open(Path root) {
        return new LocalContentStore(root);
    }

    /** The blob's info, or empty if no blob with this digest is committed. */
    Optional<ContentInfo> info(String digest);

    /**
     * Streams a committed blob from the start. The stream stays readable even if the blob is
     * deleted meanwhile.
     *
     * @throws io.strata.api.NotFoundException if there is no such blob
     */
    InputStream open(String digest);

    /**
     * Streams a committed blob from {@code offset} (0 ≤ offset ≤ size).
     *
     * @throws io.strata.api.NotFoundException if there is no such blob
     * @throws io.strata.api.InvalidArgumentException if offset is out of range
     */
    InputStream open(String digest, long offset);

    /**
     * The whole of a committed blob, for documents small enough to hold (manifests, indexes, configs).
     *
     * @throws io.strata.api.NotFoundException if there is no such blob
     * @throws java.io.UncheckedIOException if reading it fails
     */
    default byte[] readAll(String digest) {
        try (InputStream in = open(digest)) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Every committed blob, sorted by digest. */
    List<ContentInfo> list();

    /**
     * Deletes a committed blob and its labels. Readers already open keep reading.
     *
     * @throws io.strata.api.NotFoundException if there is no such blob
     */
    void delete(String digest);

    /**
     * Replaces all labels of a blob ({@code Map.of()} clears them); persisted before return.
     *
     * @throws io.strata.api.NotFoundException if there is no such blob
     */
    ContentInfo updateLabels(String digest, Map<String, String> labels);

    /**
     * Opens the writer for {@code ref}, resuming its earlier data if an ingest with this ref exists.
     *
     * @param ref            ingest reference, non-empty
     * @param expectedSize   the blob's size, or -1 if unknown
     * @param expectedDigest the blob's digest, if known
     * @throws io.strata.api.UnavailableException if another writer holds {@code ref} (in this or
     *     another process); retry later
     * @throws io.strata.api.AlreadyExistsException if {@code expectedDigest} is already committed
     *     (as containerd: the caller has nothing to write)
     * @throws io.strata.api.InvalidArgumentException if the ingest exists with a different
     *     expected size or digest, or the arguments are malformed
     */
    Ingest writer(String ref, long expectedSize, Optional<String> expectedDigest);

    /** The ingests in progress (whether or not a writer holds them), sorted by ref. */
    List<IngestStatus> listIngests();

    /**
     * Deletes an ingest's data.
     *
     * @throws io.strata.api.NotFoundException if there is no ingest with this ref
     * @throws io.strata.api.UnavailableException if a writer holds it
     */
    void abortIngest(String ref);

    /** Releases nothing durable; present so callers can use try-with-resources. */
    @Override
    void close();
}
