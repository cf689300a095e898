package io.strata.content.registry;

import io.strata.content.ContentInfo;
import io.strata.oci.Descriptor;
import java.io.IOException;
import java.util.Optional;

/**
 * Receives a layer's bytes while it downloads — the seam for an unpacker that applies a layer as
 * it arrives. Obtained from a {@link LayerTap} once per downloaded layer.
 *
 * <p>Contract: {@link #write} gets every byte of the <em>compressed</em> blob in order, exactly
 * once, from byte 0 (a resumed ingest's earlier bytes are replayed first), on the downloading
 * thread; then exactly one of {@link #complete} (size and digest verified and the blob committed
 * — only now may the consumer commit what it built) or {@link #failed} (discard what was built).
 * A {@code write} that throws fails the download of that layer.
 */
public interface BlobSink {
    void write(byte[] b, int off, int len) throws IOException;

    /** The blob is verified and committed (or was already stored by a concurrent pull). */
    void complete(ContentInfo blob);

    /** The download failed; the bytes written so far must not be used. */
    void failed(Throwable cause);

    /** Chooses which layers to tee, and where. */
    @FunctionalInterface
    interface LayerTap {
        /**
         * Called on the downloading thread before a layer's bytes flow, only for layers that are
         * not already in the content store (those the consumer reads from the store).
         */
        Optional<BlobSink> open(Descriptor layer);

        /** Tees nothing. */
        static LayerTap none() {
            return layer -> Optional.empty();
        }
    }
}
