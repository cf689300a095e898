package io.strata.codec.compress;

import io.strata.api.InvalidArgumentException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The compression of an OCI layer blob: none, gzip (RFC 1952) or zstd (RFC 8878).
 *
 * <p>Three ways to learn it: from the first bytes of the blob ({@link #detect}), from the layer's
 * media type ({@link #fromMediaType}), or by opening the blob with {@link Decompression#open}, which
 * sniffs and reports what it found. containerd always sniffs when it applies a layer and uses the
 * media type only to reject types it does not know; {@link Decompression#open(java.io.InputStream,
 * Compression)} is the strict variant for callers that want the two to agree.
 *
 * <p>Each constant also writes its format: {@link #compressor(OutputStream)} at the
 * {@linkplain #defaultLevel() default level}, or {@link #compressor(OutputStream, int)}.
 */
public enum Compression {
    /** Uncompressed tar; media type suffix none. */
    NONE("", 0, 0, 0),
    /** gzip, one or more members; media type suffix {@code +gzip}. Levels 1 (fastest) to 9. */
    GZIP("+gzip", GzipCompressor.DEFAULT_LEVEL, 1, 9),
    /** zstd, one or more frames; media type suffix {@code +zstd}. Levels 1 (fastest) to 22. */
    ZSTD("+zstd", 3, 1, 22);

    /** How many leading bytes {@link #detect} needs to tell every format apart. */
    public static final int MAGIC_LENGTH = 4;

    private static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    private static final String OCI_LAYER_NONDISTRIBUTABLE = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    private static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    private static final String DOCKER_LAYER_FOREIGN = "application/vnd.docker.image.rootfs.foreign.diff.tar";

    private final String mediaTypeSuffix;
    private final int defaultLevel;
    private final int minLevel;
    private final int maxLevel;

    Compression(String mediaTypeSuffix, int defaultLevel, int minLevel, int maxLevel) {
        this.mediaTypeSuffix = mediaTypeSuffix;
        this.defaultLevel = defaultLevel;
        this.minLevel = minLevel;
        this.maxLevel = maxLevel;
    }

    /**
     * The format whose magic number starts {@code head[0..length)}: gzip {@code 1f 8b}, zstd
     * {@code 28 b5 2f fd}; anything else, including fewer bytes than a magic number, is
     * {@link #NONE}. Skippable zstd frames ({@code 5? 2a 4d 18}) are not taken for zstd: no layer
     * tool writes a layer that starts with one.
     */
    public static Compression detect(byte[] head, int length) {
        Objects.checkFromIndexSize(0, length, head.length);
        if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5
                && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) {
            return ZSTD;
        }
        return NONE;
    }

    /**
     * The compression a layer media type declares. Known types, with optional parameters after
     * {@code ;} ignored:
     * <ul>
     *   <li>{@code application/vnd.oci.image.layer.v1.tar} and its {@code nondistributable} twin,
     *       each bare ({@link #NONE}), {@code +gzip} or {@code +zstd};
     *   <li>{@code application/vnd.docker.image.rootfs.diff.tar.gzip} and
     *       {@code ...rootfs.foreign.diff.tar.gzip} ({@link #GZIP}),
     *       {@code ...rootfs.diff.tar.zstd} ({@link #ZSTD}), and the bare
     *       {@code ...rootfs.diff.tar} ({@link #NONE}; some tools label compressed blobs with it,
     *       which is why containerd sniffs).
     * </ul>
     *
     * @throws InvalidArgumentException for any other type, with the type in the message; an
     *     encrypted ({@code +encrypted}) layer is such a type.
     */
    public static Compression fromMediaType(String mediaType) {
        Objects.requireNonNull(mediaType, "mediaType");
        int semi = mediaType.indexOf(';');
        String type = (semi < 0 ? mediaType : mediaType.substring(0, semi)).strip();
        return switch (type) {
            case OCI_LAYER, OCI_LAYER_NONDISTRIBUTABLE, DOCKER_LAYER, DOCKER_LAYER_FOREIGN -> NONE;
            case OCI_LAYER + "+gzip", OCI_LAYER_NONDISTRIBUTABLE + "+gzip",
                 DOCKER_LAYER + ".gzip", DOCKER_LAYER_FOREIGN + ".gzip" -> GZIP;
            case OCI_LAYER + "+zstd", OCI_LAYER_NONDISTRIBUTABLE + "+zstd", DOCKER_LAYER + ".zstd" -> ZSTD;
            default -> throw new InvalidArgumentException("unsupported layer media type \"" + mediaType
                    + "\": expected " + OCI_LAYER + "[+gzip|+zstd] or " + DOCKER_LAYER + "[.gzip|.zstd]");
        };
    }

    /** The OCI media type suffix: {@code ""}, {@code "+gzip"} or {@code "+zstd"}. */
    public String mediaTypeSuffix() {
        return mediaTypeSuffix;
    }

    /** The OCI layer media type of a blob in this format, e.g. {@code application/vnd.oci.image.layer.v1.tar+zstd}. */
    public String ociLayerMediaType() {
        return OCI_LAYER + mediaTypeSuffix;
    }

    /**
     * The level {@link #compressor(OutputStream)} uses: gzip 6 (zlib's and Go's default, as in
     * containerd; ADR 0006 has the numbers), zstd 3 (zstd's default); 0 for {@link #NONE}.
     */
    public int defaultLevel() {
        return defaultLevel;
    }

    /** {@link #compressor(OutputStream, int)} at the {@linkplain #defaultLevel() default level}. */
    public OutputStream compressor(OutputStream out) throws IOException {
        return compressor(out, defaultLevel);
    }

    /**
     * A stream that writes its input to {@code out} in this format, as one gzip member or one zstd
     * frame (with its content checksum). Output is deterministic: the same bytes for the same input,
     * level and library build (gzip header: no name, mtime 0, OS 255 as Go writes it). Closing the
     * stream finishes the member or frame and closes {@code out}; the stream is not thread-safe.
     * {@link #NONE} returns a stream that writes straight through.
     *
     * @throws InvalidArgumentException if {@code level} is outside this format's range (gzip 1–9,
     *     zstd 1–22, NONE only 0)
     */
    public OutputStream compressor(OutputStream out, int level) throws IOException {
        Objects.requireNonNull(out, "out");
        if (level < minLevel || level > maxLevel) {
            throw new InvalidArgumentException(name().toLowerCase(java.util.Locale.ROOT) + " level " + level
                    + " is out of range " + minLevel + ".." + maxLevel);
        }
        return switch (this) {
            case NONE -> new java.io.FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }
            };
            case GZIP -> new GzipCompressor(out, level);
            case ZSTD -> ZstdCodec.compressor(out, level);
        };
    }

    /** Lower-case name as in media types and CLI flags: {@code none}, {@code gzip}, {@code zstd}. */
    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
