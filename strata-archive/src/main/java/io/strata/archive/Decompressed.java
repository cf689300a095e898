package io.strata.archive;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** A layer stream with its compression detected and undone. Interim: replaced by the compress package. */
record Decompressed(InputStream stream, String compression) {
    static Decompressed open(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 256 * 1024);
        in.mark(4);
        byte[] head = in.readNBytes(4);
        in.reset();
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return new Decompressed(new GZIPInputStream(in, 256 * 1024), "gzip");
        }
        if (head.length == 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
                && (head[3] & 0xff) == 0xfd) {
            return new Decompressed(new com.github.luben.zstd.ZstdInputStreamNoFinalizer(in), "zstd");
        }
        return new Decompressed(in, "none");
    }

    static boolean isCorruption(IOException e) {
        return e instanceof ZipException || e instanceof java.io.EOFException
                || e.getClass().getName().startsWith("com.github.luben.zstd");
    }
}
