package io.strata.codec.compress;

/**
 * The stream does not start with the format the caller required (for example the media type says
 * {@code +gzip} but the blob starts with a zstd magic number, or with none). Thrown by
 * {@link Decompression#open(java.io.InputStream, Compression)} before any byte is returned.
 */
public final class CompressionMismatchException extends CorruptStreamException {
    private static final long serialVersionUID = 1L;

    private final transient Compression found;

    CompressionMismatchException(Compression expected, Compression found, String head) {
        super(expected, 0, "expected " + expected + " but the stream starts with "
                + (head.isEmpty() ? "nothing (it is empty)" : head + ", which is " + describe(found)));
        this.found = found;
    }

    private static String describe(Compression c) {
        return c == Compression.NONE ? "neither gzip nor zstd" : c.toString();
    }

    /** The format the caller required. */
    public Compression expected() {
        return compression();
    }

    /** The format the first bytes show ({@link Compression#NONE} for anything unrecognised or empty). */
    public Compression found() {
        return found;
    }
}
