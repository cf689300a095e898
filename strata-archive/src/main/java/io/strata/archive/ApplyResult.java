package io.strata.archive;

/**
 * What applying a layer found.
 *
 * @param diffId          sha256 of the uncompressed stream, "sha256:…"
 * @param digest          sha256 of the stream as it was given (compressed), "sha256:…"
 * @param compression     the compression detected: "gzip", "zstd" or "none"
 * @param compressedSize  bytes read from the given stream
 * @param size            bytes of uncompressed tar
 * @param entries         tar entries applied, whiteouts included
 */
public record ApplyResult(String diffId, String digest, String compression, long compressedSize, long size,
                          long entries) {
}
