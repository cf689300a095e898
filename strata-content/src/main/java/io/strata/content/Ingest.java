package io.strata.content;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;

/**
 * A writer for one blob being ingested under a caller-chosen ref (from
 * {@link ContentStore#writer}). Bytes are appended to a private file; nothing is visible in the
 * store until {@link #commit} has verified the size and digest and published the blob atomically.
 *
 * <p>Lifecycle: write → {@link #commit} (published), or {@link #abort} (data deleted), or
 * {@link #close} without commit (data kept: a later writer with the same ref resumes at
 * {@link #offset()}). Exactly one open writer may hold a ref at a time. Not thread-safe: one
 * thread writes.
 */
public abstract class Ingest extends OutputStream {

    /** Only this package implements ingests. */
    Ingest() {}

    /** The ingest reference this writer holds. */
    public abstract String ref();

    /** Bytes written so far, including those written by earlier writers of this ref. */
    public abstract long offset();

    /** The size the blob must have at commit, or -1 if unknown. */
    public abstract long expectedSize();

    /** The digest the blob must have at commit, if one was given. */
    public abstract Optional<String> expectedDigest();

    /** The digest of the bytes written so far. */
    public abstract String currentDigest();

    /**
     * Reads back the bytes written so far (from offset 0). Lets a consumer that joins a resumed
     * ingest see the prefix written before it came.
     */
    public abstract InputStream openWritten() throws IOException;

    /**
     * Verifies and publishes the blob, then releases the ref. Order on disk: the data file is
     * fsynced; size and digest are checked; labels are written; the data file is renamed into
     * {@code blobs/sha256/<hex>}; the blobs directory is fsynced; the ingest directory is removed.
     * A crash before the rename leaves a resumable ingest, after it a complete blob.
     *
     * @param labels labels for the new blob; empty for none
     * @return the committed blob
     * @throws io.strata.api.InvalidArgumentException if the size or digest differs from what was
     *     expected (the message names both); the ingest's data is deleted
     * @throws io.strata.api.AlreadyExistsException if a blob with this digest is already committed
     *     (containerd's semantics); the ingest's data is deleted, the existing blob is untouched
     * @throws io.strata.api.UnavailableException if the disk is full
     */
    public abstract ContentInfo commit(Map<String, String> labels);

    /** Deletes what was written and releases the ref. Idempotent. */
    public abstract void abort();

    /** Releases the ref and keeps the data for a later writer to resume. Idempotent; no-op after commit/abort. */
    @Override
    public abstract void close();
}
