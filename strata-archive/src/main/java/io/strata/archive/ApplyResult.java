package io.strata.archive;

import java.util.List;

/**
 * What applying a layer found.
 *
 * @param diffId          sha256 of the uncompressed stream, "sha256:…"
 * @param digest          sha256 of the stream as it was given (compressed), "sha256:…"
 * @param compression     the compression detected: "gzip", "zstd" or "none"
 * @param compressedSize  bytes read from the given stream
 * @param size            bytes of uncompressed tar
 * @param entries         tar entries applied, whiteouts included
 * @param implicitDirs    directories the layer needed but had no entry for, which the applier
 *                        made (relative paths, in the order made); a layer applied without the
 *                        trees below it gives these to {@link Layers#adoptParentMetadata} later
 * @param stages          where the time went
 */
public record ApplyResult(String diffId, String digest, String compression, long compressedSize, long size,
                          long entries, List<String> implicitDirs, ApplyStages stages) {
    public ApplyResult {
        implicitDirs = List.copyOf(implicitDirs);
    }
}
