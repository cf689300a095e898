/**
 * Compression of OCI layer blobs: {@link io.strata.codec.compress.Compression} (detection by
 * magic bytes and by media type, compressors), {@link io.strata.codec.compress.Decompression}
 * (sniffing, streaming, checked decoders) and {@link io.strata.codec.compress.CorruptStreamException}.
 * gzip inflates through ISA-L when it is installed (ADR 0006), zstd through zstd-jni.
 */
package io.strata.codec.compress;
