package io.strata.codec.compress;

import java.util.zip.DataFormatException;

/**
 * A raw DEFLATE (RFC 1951) decoder, one gzip member's body at a time, that also keeps the CRC-32
 * of what it wrote. {@link GzipDecoder} does the gzip framing around it so that both engines
 * (zlib through {@code java.util.zip}, ISA-L through FFM) share one header, trailer and
 * multi-member logic. Not thread-safe.
 */
interface DeflateEngine extends AutoCloseable {
    /** Most input bytes one {@link #setInput} takes. */
    int inputCapacity();

    /** Starts a new deflate stream, dropping any input and state. */
    void reset();

    /** Hands over input; called only when {@link #needsInput()}. The engine may keep reading {@code b} until the next call. */
    void setInput(byte[] b, int off, int len);

    /**
     * Decodes into {@code b}; returns how many bytes it wrote, 0 only when it {@link #finished()} or
     * {@link #needsInput()}.
     */
    int inflate(byte[] b, int off, int len) throws DataFormatException;

    boolean needsInput();

    /** The final block was decoded and every output byte handed out. */
    boolean finished();

    /**
     * Input bytes handed over and not used by the deflate stream, counted back from the end of the
     * last input; exact once {@link #finished()}, which makes it the start of the gzip trailer.
     */
    int remaining();

    /** CRC-32 (gzip's) of every byte written since {@link #reset()}. */
    int crc();

    /** What decodes, for logs and benchmarks: {@code "isa-l"} or {@code "zlib (java.util.zip)"}. */
    String name();

    @Override
    void close();
}
