package io.strata.codec.tar;

/** One data region of a sparse file: {@code length} bytes at {@code offset}; the rest are holes. */
public record SparseRegion(long offset, long length) {
    public SparseRegion {
        if (offset < 0 || length < 0 || offset + length < 0) {
            throw new IllegalArgumentException("bad sparse region " + offset + "+" + length);
        }
    }
}
