package io.strata.codec.compress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every format, every size near a buffer edge, every way of reading, and for gzip both engines. */
class CompressRoundTripTest {

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (int size : CompressTestData.sizes()) {
            cases.add(Arguments.of(Compression.NONE, "jdk", size));
            cases.add(Arguments.of(Compression.ZSTD, "jdk", size));
            for (String engine : CompressEngines.ALL) {
                cases.add(Arguments.of(Compression.GZIP, engine, size));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} via {1}, {2} bytes")
    @MethodSource("cases")
    void roundTrip(Compression c, String engine, int size) throws IOException {
        byte[] data = CompressTestData.layerLike(size, size);
        byte[] packed = CompressTestData.compress(c, data);
        for (int chunk : new int[] {1, 512, 65_536, 1 << 20}) {
            if (chunk == 1 && size > 300_000) {
                continue;
            }
            try (DecompressingInputStream in = CompressEngines.open(engine, new ByteArrayInputStream(packed))) {
                assertThat(in.compression()).isEqualTo(size == 0 && c == Compression.NONE ? Compression.NONE : c);
                assertThat(CompressTestData.readAll(in, chunk)).as("read in chunks of %d", chunk).isEqualTo(data);
                assertThat(in.read()).isEqualTo(-1);
            }
        }
        if (size < 300_000) { // a raw stream that hands out a few bytes at a time
            try (DecompressingInputStream in = CompressEngines.open(engine, CompressTestData.trickle(packed, size))) {
                assertThat(CompressTestData.readAll(in, 4096)).isEqualTo(data);
            }
        }
    }

    /** The applier's compressed digest is only whole if the raw stream was read to its end. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Compression.class)
    void endOfOutputMeansEndOfRawInput(Compression c) throws IOException {
        byte[] packed = CompressTestData.concat(CompressTestData.compress(c, CompressTestData.layerLike(700_000, 41)),
                CompressTestData.compress(c, CompressTestData.layerLike(1000, 42)));
        boolean[] rawEnded = {false};
        java.io.InputStream raw = new java.io.FilterInputStream(new ByteArrayInputStream(packed)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                rawEnded[0] |= n < 0;
                return n;
            }
        };
        try (DecompressingInputStream in = Decompression.open(raw)) {
            byte[] buf = new byte[8192];
            while (in.read(buf) >= 0) {
                // drain
            }
            assertThat(rawEnded[0]).isTrue();
        }
    }

    @ParameterizedTest(name = "{0} level {1}")
    @MethodSource("levels")
    void everyLevelRoundTrips(Compression c, int level) throws IOException {
        byte[] data = CompressTestData.layerLike(300_000, level);
        try (DecompressingInputStream in = Decompression.open(new ByteArrayInputStream(CompressTestData.compress(c, data, level)))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    static Stream<Arguments> levels() {
        List<Arguments> cases = new ArrayList<>();
        for (int l = 1; l <= 9; l++) {
            cases.add(Arguments.of(Compression.GZIP, l));
        }
        for (int l : new int[] {1, 3, 9, 19}) {
            cases.add(Arguments.of(Compression.ZSTD, l));
        }
        return cases.stream();
    }
}
