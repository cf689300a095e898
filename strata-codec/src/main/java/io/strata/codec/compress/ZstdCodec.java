package io.strata.codec.compress;

import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdIOException;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * zstd through zstd-jni. Decoding goes on across concatenated frames (and skippable frames) until
 * the input ends; the input ending inside a frame, a bad frame, a content checksum mismatch or
 * trailing bytes that are no frame are {@link CorruptStreamException}s. Windows up to zstd's
 * default limit (2^27 bytes) are accepted, as the {@code zstd} tool does without {@code --long}.
 */
final class ZstdCodec {
    private ZstdCodec() {}

    static InputStream decoder(RawSource src) throws IOException {
        return new Decoder(src);
    }

    private static final int WORKERS = Math.max(1, Runtime.getRuntime().availableProcessors());

    static OutputStream compressor(OutputStream out, int level) throws IOException {
        ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(out, level);
        z.setChecksum(true); // as containerd's encoder (klauspost/compress) writes it
        // Compress on zstd's own threads while the caller reads files. zstd's output with one or
        // more workers does not depend on their number, so layers stay reproducible across hosts.
        z.setWorkers(WORKERS);
        return new BufferedOutputStream(z, Decompression.BUFFER_SIZE);
    }

    /** zstd-jni's stream with its errors turned into ones that say where. */
    private static final class Decoder extends BlockInputStream {
        private final RawSource src;
        private final ZstdInputStreamNoFinalizer zstd;

        Decoder(RawSource src) throws IOException {
            this.src = src;
            this.zstd = new ZstdInputStreamNoFinalizer(new InputStream() {
                @Override
                public int read() throws IOException {
                    return src.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return src.read(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    src.close();
                }
            });
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return zstd.read(b, off, len);
            } catch (ZstdIOException | ZstdException e) {
                String what = e.getMessage();
                if ("Truncated source".equals(what)) {
                    what = "truncated: input ended inside a frame";
                }
                throw new CorruptStreamException(Compression.ZSTD, src.offset(), what, e);
            }
        }

        @Override
        public int available() throws IOException {
            return zstd.available();
        }

        @Override
        public void close() throws IOException {
            zstd.close(); // closes src's stream too
        }
    }
}
