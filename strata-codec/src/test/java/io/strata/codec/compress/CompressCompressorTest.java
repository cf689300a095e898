package io.strata.codec.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.InvalidArgumentException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompressCompressorTest {

    /** The same input gives the same bytes, however it is cut into writes. */
    @ParameterizedTest
    @EnumSource(Compression.class)
    void outputIsDeterministic(Compression c) throws IOException {
        byte[] data = CompressTestData.layerLike(1_500_000, 31);
        byte[] once = CompressTestData.compress(c, data);
        assertThat(CompressTestData.compress(c, data)).isEqualTo(once);
        Random r = new Random(32);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = c.compressor(bytes)) {
            int i = 0;
            while (i < data.length) {
                int n = Math.min(data.length - i, r.nextInt(3) == 0 ? 1 : r.nextInt(600_000));
                if (n == 1) {
                    out.write(data[i]);
                } else {
                    out.write(data, i, n);
                }
                i += n;
            }
        }
        assertThat(bytes.toByteArray()).isEqualTo(once);
    }

    @Test
    void gzipHeaderHasNoNameNoTimeAndOsUnknown() {
        byte[] gz = CompressTestData.compress(Compression.GZIP, new byte[100]);
        assertThat(Arrays.copyOf(gz, 10)).containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
    }

    @Test
    void zstdFramesCarryAContentChecksum() {
        byte[] zst = CompressTestData.compress(Compression.ZSTD, new byte[100]);
        assertThat(Arrays.copyOf(zst, 4)).containsExactly(0x28, 0xb5, 0x2f, 0xfd);
        assertThat(zst[4] & 0x04).as("Content_Checksum_flag").isEqualTo(4);
    }

    @Test
    void defaultLevels() {
        assertThat(Compression.GZIP.defaultLevel()).isEqualTo(6);
        assertThat(Compression.ZSTD.defaultLevel()).isEqualTo(3);
        assertThat(Compression.NONE.defaultLevel()).isZero();
    }

    @Test
    void levelsOutOfRangeAreRejectedByValue() {
        OutputStream sink = OutputStream.nullOutputStream();
        assertThatThrownBy(() -> Compression.GZIP.compressor(sink, 10)).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("gzip level 10 is out of range 1..9");
        assertThatThrownBy(() -> Compression.ZSTD.compressor(sink, 0)).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("zstd level 0 is out of range 1..22");
        assertThatThrownBy(() -> Compression.NONE.compressor(sink, 3)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void noneWritesThrough() throws IOException {
        byte[] data = CompressTestData.layerLike(1000, 33);
        assertThat(CompressTestData.compress(Compression.NONE, data)).isEqualTo(data);
    }

    @Test
    void gzipWritesAfterCloseFail() throws IOException {
        OutputStream out = Compression.GZIP.compressor(new ByteArrayOutputStream());
        out.close();
        out.close();
        assertThatThrownBy(() -> out.write(new byte[1], 0, 1)).isInstanceOf(IOException.class);
    }
}
