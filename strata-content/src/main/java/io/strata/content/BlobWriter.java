package io.strata.content;

import io.strata.api.AlreadyExistsException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/** Copies a stream into the store as one verified blob; the shared path of import and tests. */
public final class BlobWriter {
    private BlobWriter() {}

    /**
     * Writes {@code in} as a blob and returns its info. When {@code expectedDigest} is given and
     * already stored, nothing is read and the existing blob's info is returned (idempotent for
     * importers, unlike {@link Ingest#commit}).
     *
     * @param expectedSize -1 if unknown
     * @throws io.strata.api.InvalidArgumentException on a size or digest mismatch (nothing stored)
     */
    public static ContentInfo write(ContentStore store, String ref, InputStream in, long expectedSize,
                                    Optional<String> expectedDigest) throws IOException {
        if (expectedDigest.isPresent()) {
            Optional<ContentInfo> have = store.info(expectedDigest.get());
            if (have.isPresent()) {
                return have.get();
            }
        }
        Ingest w = open(store, ref, expectedSize, expectedDigest).orElse(null);
        if (w == null) {
            return store.info(expectedDigest.orElseThrow()).orElseThrow();
        }
        if (w.offset() > 0) {
            w.abort(); // a stale partial ingest under our ref: start over, the source is a stream
            w = open(store, ref, expectedSize, expectedDigest).orElseThrow();
        }
        try (Ingest ingest = w) {
            in.transferTo(ingest);
            try {
                return ingest.commit(Map.of());
            } catch (AlreadyExistsException e) {
                return store.info(ingest.currentDigest()).orElseThrow(() -> e);
            }
        } catch (IOException | RuntimeException e) {
            w.abort();
            throw e;
        }
    }

    private static Optional<Ingest> open(ContentStore store, String ref, long size, Optional<String> digest) {
        try {
            return Optional.of(store.writer(ref, size, digest));
        } catch (AlreadyExistsException e) {
            return Optional.empty();
        }
    }
}
