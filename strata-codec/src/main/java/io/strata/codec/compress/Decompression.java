package io.strata.codec.compress;

import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Opens a layer blob for reading its uncompressed bytes.
 *
 * <p>gzip is decoded by ISA-L's igzip through FFM when {@code libisal.so.2} (Debian
 * {@code libisal2}) loads and passes a self-test, else by the JDK's zlib; ADR 0006 has the numbers.
 * The system property {@value #ENGINE_PROPERTY} chooses: {@code auto} (default), {@code jdk}
 * (always zlib) or {@code isal} (ISA-L or fail). It is read at every {@code open}.
 *
 * <p>What every stream returned here guarantees:
 * <ul>
 *   <li>the bytes read are exactly the uncompressed content: all gzip members (each CRC-32 and
 *       ISIZE checked) or all zstd frames (content checksums checked where present), in order;
 *   <li>{@code read} returns -1 only after the raw stream returned -1, so a digest computed over
 *       the raw stream (e.g. through a {@link java.security.DigestInputStream} passed in) covers
 *       the whole blob by then;
 *   <li>truncated or corrupt input, and bytes after the last gzip member or zstd frame that do not
 *       start another one, fail with {@link CorruptStreamException} naming the format and the
 *       compressed offset; a short result is never returned as if it were whole;
 *   <li>I/O errors of the raw stream propagate unchanged; closing closes the raw stream.
 * </ul>
 * Reads are served from buffers of {@value #BUFFER_SIZE} bytes. Streams are not thread-safe.
 */
public final class Decompression {
    /** Size of the compressed and uncompressed buffers. */
    public static final int BUFFER_SIZE = 256 * 1024;

    /** System property that picks the gzip engine: {@code auto}, {@code jdk} or {@code isal}. */
    public static final String ENGINE_PROPERTY = "strata.gzip.inflater";

    private Decompression() {}

    /**
     * Sniffs the format from the first bytes (see {@link Compression#detect}) without losing them
     * and returns a stream of the uncompressed bytes; {@link DecompressingInputStream#compression()}
     * tells what was found. An empty raw stream is {@link Compression#NONE} with no bytes, and so
     * is one cut before its magic number was complete (e.g. a lone {@code 1f}): sniffing cannot
     * tell those from plain data, which is why callers that know the media type should use
     * {@link #open(InputStream, Compression)}.
     */
    public static DecompressingInputStream open(InputStream raw) throws IOException {
        Objects.requireNonNull(raw, "raw");
        RawSource src = new RawSource(raw, BUFFER_SIZE);
        return wrap(src, sniff(src));
    }

    /**
     * Like {@link #open(InputStream)}, but the stream must be in {@code expected} (for example
     * {@link Compression#fromMediaType} of the layer's media type).
     *
     * @throws CompressionMismatchException if the first bytes show another format, or, for gzip and
     *     zstd, the stream is empty; the raw stream is closed then
     */
    public static DecompressingInputStream open(InputStream raw, Compression expected) throws IOException {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(expected, "expected");
        RawSource src = new RawSource(raw, BUFFER_SIZE);
        Compression found = sniff(src);
        if (found != expected || (expected != Compression.NONE && src.available() == 0)) {
            String head = HexFormat.ofDelimiter(" ").formatHex(src.buffer(), src.position(),
                    src.position() + Math.min(Compression.MAGIC_LENGTH, src.available()));
            src.close();
            throw new CompressionMismatchException(expected, found, head);
        }
        return wrap(src, found);
    }

    /**
     * The gzip engine {@link #open} would use under the current {@value #ENGINE_PROPERTY}:
     * {@code "isa-l"} or {@code "zlib (java.util.zip)"}.
     *
     * @throws IllegalArgumentException if the property has a value other than auto, jdk or isal
     */
    public static String gzipEngine() {
        return switch (engineChoice()) {
            case "isal" -> IsalDeflateEngine.NAME;
            case "auto" -> Isal.unavailable().isEmpty() ? IsalDeflateEngine.NAME : JdkDeflateEngine.NAME;
            default -> JdkDeflateEngine.NAME;
        };
    }

    /** Why ISA-L is not available, or empty when it is (the property does not matter here). */
    public static Optional<String> isalUnavailable() {
        return Isal.unavailable();
    }

    private static Compression sniff(RawSource src) throws IOException {
        int n = src.require(Compression.MAGIC_LENGTH);
        return Compression.detect(java.util.Arrays.copyOfRange(src.buffer(), src.position(), src.position() + n), n);
    }

    private static DecompressingInputStream wrap(RawSource src, Compression found) throws IOException {
        return switch (found) {
            case NONE -> new DecompressingInputStream(found, new PlainStream(src));
            case GZIP -> new DecompressingInputStream(found, new GzipDecoder(src, newEngine()));
            case ZSTD -> new DecompressingInputStream(found, ZstdCodec.decoder(src));
        };
    }

    static DeflateEngine newEngine() {
        return switch (engineChoice()) {
            case "jdk" -> new JdkDeflateEngine();
            case "isal" -> new IsalDeflateEngine(BUFFER_SIZE);
            case "auto" -> Isal.unavailable().isEmpty() ? new IsalDeflateEngine(BUFFER_SIZE) : new JdkDeflateEngine();
            default -> throw new IllegalStateException("unreachable");
        };
    }

    private static String engineChoice() {
        String choice = System.getProperty(ENGINE_PROPERTY, "auto").strip().toLowerCase(Locale.ROOT);
        if (!choice.equals("auto") && !choice.equals("jdk") && !choice.equals("isal")) {
            throw new IllegalArgumentException(ENGINE_PROPERTY + "=" + choice + ": expected auto, jdk or isal");
        }
        return choice;
    }

    /** Uncompressed input: the sniffed bytes, then the raw stream. */
    private static final class PlainStream extends InputStream {
        private final RawSource src;

        PlainStream(RawSource src) {
            this.src = src;
        }

        @Override
        public int read() throws IOException {
            return src.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            return src.read(b, off, len);
        }

        @Override
        public void close() throws IOException {
            src.close();
        }
    }
}
