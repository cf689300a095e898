/**
 * Compression of OCI layer blobs: {@link io.strata.archive.compress.Compression} (detection by
 * magic bytes and by media type, compressors), {@link io.strata.archive.compress.Decompression}
 * (sniffing, streaming, checked decoders) and {@link io.strata.archive.compress.CorruptStreamException}.
 * gzip inflates through ISA-L when it is installed (ADR 0006), zstd through zstd-jni.
 */
package io.strata.archive.compress;
