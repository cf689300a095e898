package io.strata.codec.compress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Without ISA-L the JDK's zlib takes over. Class initialisation decides that once per JVM, so the
 * check runs in a fresh JVM told to load a library that does not exist.
 */
class CompressFallbackTest {

    /** Run in the child JVM: prints the engine, the reason, and whether a gzip round trip worked. */
    public static void main(String[] args) throws Exception {
        byte[] data = CompressTestData.layerLike(1_000_000, 51);
        byte[] gz = CompressTestData.concat(CompressTestData.compress(Compression.GZIP, data), CompressTestData.compress(Compression.GZIP, data));
        try (DecompressingInputStream in = Decompression.open(new ByteArrayInputStream(gz))) {
            boolean ok = java.util.Arrays.equals(in.readAllBytes(), CompressTestData.concat(data, data));
            System.out.println("engine=" + Decompression.gzipEngine());
            System.out.println("why=" + Decompression.isalUnavailable().orElse("-"));
            System.out.println("roundtrip=" + ok);
        }
    }

    @Test
    void aMissingLibraryFallsBackToZlib() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dstrata.isal.library=libstrata-no-such-isal.so.2",
                "-cp", System.getProperty("java.class.path"), CompressFallbackTest.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("engine=zlib (java.util.zip)", "roundtrip=true",
                "why=libstrata-no-such-isal.so.2 cannot be loaded");
    }
}
