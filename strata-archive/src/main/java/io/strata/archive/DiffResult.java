package io.strata.archive;

/**
 * A layer written by a diff.
 *
 * @param digest       sha256 of the bytes written (compressed), "sha256:…": the manifest's digest
 * @param size         bytes written
 * @param diffId       sha256 of the uncompressed tar, "sha256:…": the image config's DiffID
 * @param uncompressedSize bytes of uncompressed tar
 * @param compression  "gzip", "zstd" or "none"
 * @param mediaType    the OCI layer media type for that compression
 * @param entries      tar entries written, whiteouts included
 */
public record DiffResult(String digest, long size, String diffId, long uncompressedSize, String compression,
                         String mediaType, long entries) {
}
