package io.strata.content;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An ingest in progress (not committed, not aborted): what a resumed writer would continue from.
 *
 * @param ref            the caller's ingest reference
 * @param offset         bytes written so far
 * @param expectedSize   the size the blob must have, or -1 when unknown
 * @param expectedDigest the digest the blob must have, if given
 * @param startedAt      when the ingest was first opened
 * @param updatedAt      when data was last written
 */
public record IngestStatus(String ref, long offset, long expectedSize, Optional<String> expectedDigest,
                           Instant startedAt, Instant updatedAt) {
    public IngestStatus {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(expectedDigest, "expectedDigest");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
