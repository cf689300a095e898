package io.strata.codec.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** gzip decoding on both engines: interop, members, and every kind of broken stream. */
class CompressGzipTest {

    private static byte[] decode(String engine, byte[] raw) throws IOException {
        try (DecompressingInputStream in = CompressEngines.open(engine, new ByteArrayInputStream(raw))) {
            assertThat(in.compression()).isEqualTo(Compression.GZIP);
            return CompressTestData.readAll(in, 100_000);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "isal"})
    void readsWhatGnuGzipWritesAtEveryLevel(String engine) throws Exception {
        byte[] data = CompressTestData.layerLike(3_000_000, 7);
        for (String level : new String[] {"-1", "-6", "-9"}) {
            byte[] gz = CompressTestData.run(data, "gzip", "-c", level);
            assertThat(decode(engine, gz)).as("gzip %s", level).isEqualTo(data);
        }
        // a name, as `gzip file` writes (FNAME), must be skipped
        byte[] bare = CompressTestData.run(data, "gzip", "-c", "-n");
        byte[] named = CompressTestData.concat(new byte[] {0x1f, (byte) 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3},
                "layer.tar\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), Arrays.copyOfRange(bare, 10, bare.length));
        assertThat(decode(engine, named)).isEqualTo(data);
    }

    @Test
    void gnuGzipReadsWhatWeWrite() throws Exception {
        byte[] data = CompressTestData.layerLike(3_000_000, 8);
        assertThat(CompressTestData.run(CompressTestData.compress(Compression.GZIP, data), "gzip", "-dc")).isEqualTo(data);
        assertThat(CompressTestData.run(CompressTestData.compress(Compression.GZIP, new byte[0]), "gzip", "-dc")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "isal"})
    void readsEveryMemberOfAConcatenation(String engine) throws Exception {
        byte[] a = CompressTestData.layerLike(400_000, 1);
        byte[] b = CompressTestData.layerLike(123_457, 2);
        byte[] empty = new byte[0];
        byte[] cat = CompressTestData.concat(CompressTestData.run(a, "gzip", "-c"), CompressTestData.compress(Compression.GZIP, empty),
                CompressTestData.compress(Compression.GZIP, b), CompressTestData.run(a, "gzip", "-1", "-c"));
        byte[] expected = CompressTestData.concat(a, b, a);
        assertThat(decode(engine, cat)).isEqualTo(expected);
        try (DecompressingInputStream in = CompressEngines.open(engine, CompressTestData.trickle(cat, 3))) {
            assertThat(CompressTestData.readAll(in, 1000)).isEqualTo(expected);
        }
    }

    /** Tiny buffers on both sides force the end of a member to straddle refills, which is where the trailer rewind is subtle. */
    @ParameterizedTest
    @ValueSource(strings = {"jdk", "isal"})
    void membersSurviveTinyBuffers(String engine) throws IOException {
        byte[][] parts = new byte[20][];
        ByteArrayOutputStream cat = new ByteArrayOutputStream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < parts.length; i++) {
            byte[] data = CompressTestData.layerLike(i * 997, i);
            expected.writeBytes(data);
            cat.writeBytes(CompressTestData.compress(Compression.GZIP, data, 1 + i % 9));
        }
        for (int bufferSize : new int[] {64, 100, 333, 4096}) {
            for (int chunk : new int[] {1, 7, 4096}) {
                RawSource src = new RawSource(CompressTestData.trickle(cat.toByteArray(), bufferSize + chunk), bufferSize);
                try (GzipDecoder in = new GzipDecoder(src, CompressEngines.engine(engine, bufferSize))) {
                    assertThat(CompressTestData.readAll(in, chunk)).as("buffer %d, chunk %d", bufferSize, chunk)
                            .isEqualTo(expected.toByteArray());
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "isal"})
    void headerWithExtraFieldCommentAndHeaderCrc(String engine) throws IOException {
        byte[] data = CompressTestData.layerLike(70_000, 3);
        byte[] plain = CompressTestData.compress(Compression.GZIP, data);
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 1, 2, 3, 4, 0, (byte) 0xff});
        header.writeBytes(new byte[] {5, 0, 'S', 'T', 2, 0, 'x'}); // XLEN 5, one subfield
        header.writeBytes("name\0comment\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        CRC32 crc = new CRC32();
        crc.update(header.toByteArray());
        int hcrc = (int) crc.getValue() & 0xffff;
        byte[] good = CompressTestData.concat(header.toByteArray(), new byte[] {(byte) hcrc, (byte) (hcrc >> 8)},
                Arrays.copyOfRange(plain, 10, plain.length));
        assertThat(decode(engine, good)).isEqualTo(data);

        byte[] bad = good.clone();
        bad[header.size()] ^= 1;
        assertThatThrownBy(() -> decode(engine, bad)).isInstanceOf(CorruptStreamException.class)
                .hasMessageContaining("header CRC16 mismatch in member 1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "isal"})
    void everyTruncationFails(String engine) throws IOException {
        byte[] data = CompressTestData.layerLike(200_000, 4);
        byte[] gz = CompressTestData.compress(Compression.GZIP, data);
        for (int cut = 0; cut < gz.length; cut += cut < 64 || cut > gz.length - 64 ? 1 : 97) {
            byte[] prefix = Arrays.copyOf(gz, cut);
            CorruptStreamException e = catchThrowableOfType(CorruptStreamException.class, () -> {
                try (InputStream in = CompressEngines.open(engine, new ByteArrayInputStream(prefix), Compression.GZIP)) {
                    in.readAllBytes();
                }
            });
            assertThat(e).as("cut at %d of %d", cut, gz.length).isNotNull();
            assertThat(e.getMessage()).startsWith("gzip: ");
            if (cut >= 2) {
                assertThat(e.getMessage()).as("cut at %d", cut).contains("truncated");
                assertThat(e.offset()).as("cut at %d", cut).isBetween(0L, (long) cut);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "isal"})
    void everyFlippedByteFails(String engine) throws IOException {
        byte[] data = CompressTestData.layerLike(50_000, 5);
        byte[] gz = CompressTestData.compress(Compression.GZIP, data);
        for (int at = 10; at < gz.length; at += at > gz.length - 16 ? 1 : 13) { // MTIME/XFL/OS are not checked
            byte[] bad = gz.clone();
            bad[at] ^= (byte) (1 << (at % 8));
            final int where = at;
            assertThatThrownBy(() -> decode(engine, bad)).as("flip at %d", where).isInstanceOf(CorruptStreamException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "isal"})
    void trailerMismatchesAreNamed(String engine) throws IOException {
        byte[] gz = CompressTestData.compress(Compression.GZIP, CompressTestData.layerLike(10_000, 6));
        byte[] badCrc = gz.clone();
        badCrc[gz.length - 8] ^= 0x55;
        assertThatThrownBy(() -> decode(engine, badCrc)).isInstanceOf(CorruptStreamException.class)
                .hasMessageContaining("gzip: CRC32 mismatch in member 1 (bytes 0..")
                .hasMessageEndingWith("(at compressed byte " + (gz.length - 8) + ")");
        byte[] badSize = gz.clone();
        badSize[gz.length - 1] ^= 0x01;
        assertThatThrownBy(() -> decode(engine, badSize)).isInstanceOf(CorruptStreamException.class)
                .hasMessageContaining("size mismatch in member 1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "isal"})
    void trailingGarbageIsAnError(String engine) throws IOException {
        byte[] data = CompressTestData.layerLike(10_000, 9);
        byte[] gz = CompressTestData.compress(Compression.GZIP, data);
        for (byte[] tail : new byte[][] {{0}, new byte[512], "garbage!".getBytes(java.nio.charset.StandardCharsets.US_ASCII), {0x1f}}) {
            byte[] raw = CompressTestData.concat(gz, tail);
            CorruptStreamException e = catchThrowableOfType(CorruptStreamException.class, () -> decode(engine, raw));
            assertThat(e).as("tail of %d bytes", tail.length).isNotNull();
            assertThat(e.offset()).isEqualTo(gz.length);
            assertThat(e.getMessage()).contains("trailing data after the last member (member 1 ended here)");
        }
    }

    @Test
    void brokenDeflateDataNamesTheMemberAndOffset() throws IOException {
        byte[] gz = CompressTestData.compress(Compression.GZIP, CompressTestData.layerLike(100_000, 10));
        byte[] bad = gz.clone();
        bad[10] = (byte) 0xff; // block type 3 is reserved
        for (String engine : CompressEngines.ALL) {
            CompressEngines.assumeAvailable(engine);
            assertThatThrownBy(() -> decode(engine, bad)).isInstanceOf(CorruptStreamException.class)
                    .hasMessageContaining("gzip: invalid deflate data in member 1 (which starts at byte 0)");
        }
    }

    @Test
    void thePropertyPicksTheEngine() throws IOException {
        assertThat(CompressEngines.with("jdk", Decompression::gzipEngine)).isEqualTo("zlib (java.util.zip)");
        CompressEngines.assumeAvailable("isal");
        assertThat(CompressEngines.with("isal", Decompression::gzipEngine)).isEqualTo("isa-l");
        assertThat(CompressEngines.with("auto", Decompression::gzipEngine)).isEqualTo("isa-l");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "isal"})
    void closedStreamsRefuseToRead(String engine) throws IOException {
        byte[] gz = CompressTestData.compress(Compression.GZIP, CompressTestData.layerLike(1000, 11));
        DecompressingInputStream in = CompressEngines.open(engine, new ByteArrayInputStream(gz));
        assertThat(in.read()).isNotNegative();
        in.close();
        in.close();
        assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("stream closed");
    }
}
