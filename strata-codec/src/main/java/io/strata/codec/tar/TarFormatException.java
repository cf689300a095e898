package io.strata.codec.tar;

import java.io.IOException;

/**
 * The stream is not a well-formed tar archive: a bad header, an absurd field, or data that ends
 * early. The message names the entry (when known) and the byte offset in the uncompressed stream.
 */
public final class TarFormatException extends IOException {
    private final long offset;

    public TarFormatException(String message, long offset) {
        super(message + " (at byte " + offset + " of the archive)");
        this.offset = offset;
    }

    /** Offset of the offending block in the uncompressed stream. */
    public long offset() {
        return offset;
    }
}
