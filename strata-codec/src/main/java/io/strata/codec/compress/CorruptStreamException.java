package io.strata.codec.compress;

import java.io.IOException;
import java.util.Objects;

/**
 * A compressed layer stream is not valid: truncated, corrupt (bad deflate data, CRC32 or size
 * trailer mismatch, bad zstd frame or checksum), followed by bytes that are not another member or
 * frame, or not in the format the caller required ({@link CompressionMismatchException}). The
 * message names the format and the compressed byte offset near which the problem was seen, e.g.
 * {@code gzip: CRC32 mismatch in member 1 (bytes 0..81920): ...}. I/O failures of the underlying
 * stream are not wrapped in this type; they propagate unchanged.
 */
public class CorruptStreamException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Compression compression;
    private final long offset;

    /**
     * @param compression the format being decoded
     * @param offset the compressed byte offset (from the start of the raw stream) near which the
     *     problem was seen; exact for header and trailer faults, within one input buffer otherwise
     * @param detail what is wrong, without the format prefix
     */
    CorruptStreamException(Compression compression, long offset, String detail) {
        this(compression, offset, detail, null);
    }

    CorruptStreamException(Compression compression, long offset, String detail, Throwable cause) {
        super(compression + ": " + detail + " (at compressed byte " + offset + ")", cause);
        this.compression = Objects.requireNonNull(compression, "compression");
        this.offset = offset;
    }

    /** The format whose decoding failed. */
    public Compression compression() {
        return compression;
    }

    /** The compressed byte offset near which the problem was seen. */
    public long offset() {
        return offset;
    }
}
