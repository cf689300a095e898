package io.strata.codec.digest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** libcrypto's SHA-256 agrees with the JDK's however the bytes arrive, and a missing library falls back. */
class Sha256Test {
    private static MessageDigest jdk() throws Exception {
        return MessageDigest.getInstance("SHA-256");
    }

    @Test
    void thisMachineUsesLibcrypto() {
        // Debian 12 ships libssl3 in every install; .ci/run installs it too.
        assertThat(Sha256.nativeUnavailable()).isEmpty();
        assertThat(Sha256.newDigest()).isInstanceOf(NativeSha256.class);
    }

    @Test
    void agreesWithTheJdkOnEveryLengthAndChunking() throws Exception {
        Random random = new Random(42);
        for (int len : new int[] {0, 1, 55, 56, 63, 64, 65, 1000, 65_536, 1_000_003}) {
            byte[] data = new byte[len];
            random.nextBytes(data);
            byte[] expected = jdk().digest(data);
            MessageDigest whole = Sha256.newDigest();
            whole.update(data);
            assertThat(whole.digest()).as("%d bytes at once", len).isEqualTo(expected);

            MessageDigest pieces = Sha256.newDigest();
            int at = 0;
            while (at < len) {
                int n = Math.min(len - at, 1 + random.nextInt(9000));
                if (n == 1) {
                    pieces.update(data[at]);
                } else if (n % 3 == 0) {
                    pieces.update(ByteBuffer.wrap(data, at, n));
                } else {
                    pieces.update(data, at, n);
                }
                at += n;
            }
            assertThat(pieces.digest()).as("%d bytes in pieces", len).isEqualTo(expected);
        }
    }

    @Test
    void digestResetsAndCloneForksTheState() throws Exception {
        MessageDigest md = Sha256.newDigest();
        md.update("ab".getBytes());
        MessageDigest fork = (MessageDigest) md.clone();
        md.update("c".getBytes());
        assertThat(HexFormat.of().formatHex(md.digest()))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(md.digest()).as("digest() reset the state").isEqualTo(jdk().digest());
        assertThat(fork.digest()).as("the clone did not see the 'c'").isEqualTo(jdk().digest("ab".getBytes()));
        md.update("x".getBytes());
        md.reset();
        assertThat(md.digest()).isEqualTo(jdk().digest());
    }

    /** Run in the child JVM: prints which SHA-256 it got and why. */
    public static void main(String[] args) throws Exception {
        MessageDigest md = Sha256.newDigest();
        System.out.println("class=" + md.getClass().getName());
        System.out.println("why=" + Sha256.nativeUnavailable().orElse("-"));
        System.out.println("abc=" + HexFormat.of().formatHex(md.digest("abc".getBytes())));
    }

    @Test
    void aMissingLibraryFallsBackToTheJdk() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dstrata.libcrypto.library=libstrata-no-such-crypto.so.3",
                "-cp", System.getProperty("java.class.path"), Sha256Test.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).doesNotContain("NativeSha256")
                .contains("why=libstrata-no-such-crypto.so.3 cannot be loaded",
                        "abc=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
