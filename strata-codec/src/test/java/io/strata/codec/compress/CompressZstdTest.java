package io.strata.codec.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** zstd decoding: interop with the zstd tool, frames, and broken streams. */
class CompressZstdTest {

    private static byte[] decode(byte[] raw) throws IOException {
        try (DecompressingInputStream in = Decompression.open(new ByteArrayInputStream(raw))) {
            assertThat(in.compression()).isEqualTo(Compression.ZSTD);
            return CompressTestData.readAll(in, 100_000);
        }
    }

    @Test
    void readsWhatTheZstdToolWrites() throws Exception {
        byte[] data = CompressTestData.layerLike(3_000_000, 21);
        for (String level : new String[] {"-1", "-3", "-19", "--no-check"}) {
            assertThat(decode(CompressTestData.run(data, "zstd", "-q", "-c", level))).as("zstd %s", level).isEqualTo(data);
        }
    }

    @Test
    void theZstdToolReadsWhatWeWrite() throws Exception {
        byte[] data = CompressTestData.layerLike(3_000_000, 22);
        assertThat(CompressTestData.run(CompressTestData.compress(Compression.ZSTD, data), "zstd", "-q", "-dc")).isEqualTo(data);
        assertThat(CompressTestData.run(CompressTestData.compress(Compression.ZSTD, new byte[0]), "zstd", "-q", "-dc")).isEmpty();
    }

    @Test
    void readsConcatenatedAndSkippableFrames() throws Exception {
        byte[] a = CompressTestData.layerLike(500_000, 23);
        byte[] b = CompressTestData.layerLike(77_777, 24);
        byte[] skippable = {0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'a', 'b', 'c'};
        byte[] cat = CompressTestData.concat(CompressTestData.compress(Compression.ZSTD, a), skippable,
                CompressTestData.run(b, "zstd", "-q", "-c"), CompressTestData.compress(Compression.ZSTD, new byte[0]),
                CompressTestData.compress(Compression.ZSTD, a, 1));
        assertThat(decode(cat)).isEqualTo(CompressTestData.concat(a, b, a));
        try (InputStream in = Decompression.open(CompressTestData.trickle(cat, 5))) {
            assertThat(CompressTestData.readAll(in, 777)).isEqualTo(CompressTestData.concat(a, b, a));
        }
    }

    @Test
    void everyTruncationFails() throws IOException {
        byte[] zst = CompressTestData.compress(Compression.ZSTD, CompressTestData.layerLike(200_000, 25));
        for (int cut = 0; cut < zst.length; cut += cut < 64 || cut > zst.length - 64 ? 1 : 89) {
            byte[] prefix = Arrays.copyOf(zst, cut);
            CorruptStreamException e = catchThrowableOfType(CorruptStreamException.class, () -> {
                try (InputStream in = Decompression.open(new ByteArrayInputStream(prefix), Compression.ZSTD)) {
                    in.readAllBytes();
                }
            });
            assertThat(e).as("cut at %d of %d", cut, zst.length).isNotNull();
            assertThat(e.getMessage()).startsWith("zstd: ");
            assertThat(e.offset()).isBetween(0L, (long) cut);
        }
    }

    /** Past the 6-byte frame header (whose unused bit and window size may change harmlessly) every flip is caught. */
    @Test
    void flippedBytesFail() throws IOException {
        byte[] zst = CompressTestData.compress(Compression.ZSTD, CompressTestData.layerLike(50_000, 26));
        java.util.List<Integer> undetected = new java.util.ArrayList<>();
        for (int at = 6; at < zst.length; at += at > zst.length - 16 ? 1 : 11) {
            byte[] bad = zst.clone();
            bad[at] ^= (byte) (1 << (at % 8));
            try {
                decode(bad);
                undetected.add(at);
            } catch (CorruptStreamException e) {
                assertThat(e).hasMessageStartingWith("zstd: ");
            }
        }
        assertThat(undetected).as("flips that decoded without error, of %d bytes", zst.length).isEmpty();
    }

    @Test
    void trailingGarbageIsAnError() {
        byte[] zst = CompressTestData.compress(Compression.ZSTD, CompressTestData.layerLike(10_000, 27));
        for (byte[] tail : new byte[][] {{0}, new byte[512], "garbage!".getBytes(java.nio.charset.StandardCharsets.US_ASCII)}) {
            assertThatThrownBy(() -> decode(CompressTestData.concat(zst, tail))).as("tail of %d bytes", tail.length)
                    .isInstanceOf(CorruptStreamException.class).hasMessageStartingWith("zstd: ");
        }
    }
}
