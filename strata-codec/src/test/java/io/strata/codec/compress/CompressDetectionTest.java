package io.strata.codec.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.InvalidArgumentException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CompressDetectionTest {

    @Test
    void magicNumbers() {
        assertThat(Compression.detect(new byte[] {0x1f, (byte) 0x8b}, 2)).isEqualTo(Compression.GZIP);
        assertThat(Compression.detect(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, 4)).isEqualTo(Compression.ZSTD);
        assertThat(Compression.detect(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, 3)).isEqualTo(Compression.NONE);
        assertThat(Compression.detect(new byte[] {0x1f}, 1)).isEqualTo(Compression.NONE);
        assertThat(Compression.detect(new byte[0], 0)).isEqualTo(Compression.NONE);
        assertThat(Compression.detect("etc/passwd".getBytes(StandardCharsets.US_ASCII), 10)).isEqualTo(Compression.NONE);
    }

    @ParameterizedTest
    @CsvSource({
        "application/vnd.oci.image.layer.v1.tar, NONE",
        "application/vnd.oci.image.layer.v1.tar+gzip, GZIP",
        "application/vnd.oci.image.layer.v1.tar+zstd, ZSTD",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip, GZIP",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd, ZSTD",
        "application/vnd.docker.image.rootfs.diff.tar.gzip, GZIP",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip, GZIP",
        "application/vnd.docker.image.rootfs.diff.tar.zstd, ZSTD",
        "application/vnd.docker.image.rootfs.diff.tar, NONE",
        "'application/vnd.oci.image.layer.v1.tar+gzip; charset=binary', GZIP",
    })
    void mediaTypes(String mediaType, Compression expected) {
        assertThat(Compression.fromMediaType(mediaType)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/vnd.oci.image.layer.v1.tar+bzip2", "application/vnd.oci.image.layer.v1.tar+gzip+encrypted",
        "application/vnd.oci.image.manifest.v1+json", "", "application/octet-stream"})
    void unknownMediaTypesAreRejectedByName(String mediaType) {
        assertThatThrownBy(() -> Compression.fromMediaType(mediaType))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("unsupported layer media type \"" + mediaType + "\"");
    }

    @Test
    void mediaTypeSuffixes() {
        assertThat(Compression.NONE.mediaTypeSuffix()).isEmpty();
        assertThat(Compression.GZIP.mediaTypeSuffix()).isEqualTo("+gzip");
        assertThat(Compression.ZSTD.ociLayerMediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar+zstd");
        for (Compression c : Compression.values()) {
            assertThat(Compression.fromMediaType(c.ociLayerMediaType())).isEqualTo(c);
        }
    }

    @Test
    void aRealTarIsPlainAndComesThroughUnchanged(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("hello.txt"), "hello\n");
        byte[] tar = CompressTestData.run(new byte[0], "tar", "-C", dir.toString(), "-cf", "-", "hello.txt");
        try (DecompressingInputStream in = Decompression.open(new ByteArrayInputStream(tar))) {
            assertThat(in.compression()).isEqualTo(Compression.NONE);
            assertThat(CompressTestData.readAll(in, 100)).isEqualTo(tar);
        }
    }

    @Test
    void shortAndEmptyStreamsArePlain() throws IOException {
        for (byte[] raw : new byte[][] {{}, {0x1f}, {0x28, (byte) 0xb5, 0x2f}}) {
            try (DecompressingInputStream in = Decompression.open(new ByteArrayInputStream(raw))) {
                assertThat(in.compression()).isEqualTo(Compression.NONE);
                assertThat(CompressTestData.readAll(in, 1)).isEqualTo(raw);
            }
        }
    }

    @Test
    void forcedFormatMismatchSaysWhatWasExpectedAndFound() {
        byte[] zstd = CompressTestData.compress(Compression.ZSTD, "x".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> Decompression.open(new ByteArrayInputStream(zstd), Compression.GZIP))
                .isInstanceOfSatisfying(CompressionMismatchException.class, e -> {
                    assertThat(e.expected()).isEqualTo(Compression.GZIP);
                    assertThat(e.found()).isEqualTo(Compression.ZSTD);
                })
                .hasMessage("gzip: expected gzip but the stream starts with 28 b5 2f fd, which is zstd (at compressed byte 0)");
        byte[] gzip = CompressTestData.compress(Compression.GZIP, new byte[10]);
        assertThatThrownBy(() -> Decompression.open(new ByteArrayInputStream(gzip), Compression.NONE))
                .isInstanceOf(CompressionMismatchException.class)
                .hasMessageContaining("expected none but the stream starts with 1f 8b 08 00, which is gzip");
        assertThatThrownBy(() -> Decompression.open(new ByteArrayInputStream("ustar".getBytes(StandardCharsets.US_ASCII)), Compression.ZSTD))
                .isInstanceOf(CompressionMismatchException.class)
                .hasMessageContaining("expected zstd but the stream starts with 75 73 74 61, which is neither gzip nor zstd");
        assertThatThrownBy(() -> Decompression.open(new ByteArrayInputStream(new byte[0]), Compression.GZIP))
                .isInstanceOf(CompressionMismatchException.class)
                .hasMessageContaining("nothing (it is empty)");
    }

    @Test
    void forcedFormatThatMatchesDecodes() throws IOException {
        byte[] data = CompressTestData.layerLike(100_000, 1);
        for (Compression c : Compression.values()) {
            try (DecompressingInputStream in = Decompression.open(new ByteArrayInputStream(CompressTestData.compress(c, data)), c)) {
                assertThat(in.compression()).isEqualTo(c);
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        }
        try (DecompressingInputStream in = Decompression.open(new ByteArrayInputStream(new byte[0]), Compression.NONE)) {
            assertThat(in.read()).isEqualTo(-1);
        }
    }
}
