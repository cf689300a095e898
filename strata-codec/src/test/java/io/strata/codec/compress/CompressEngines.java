package io.strata.codec.compress;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Opens streams with a chosen gzip engine, the way an operator would: through the system property. */
final class CompressEngines {
    static final List<String> ALL = List.of("jdk", "isal");

    private CompressEngines() {}

    /**
     * Skips ISA-L tests only where the library is not installed at all; an installed library that
     * fails to load or fails the self-test is a failure.
     */
    static void assumeAvailable(String engine) {
        if (!engine.equals("isal")) {
            return;
        }
        boolean installed = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libisal.so.2"))
                || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libisal.so.2"));
        if (!installed && System.getenv("CI") != null) {
            throw new AssertionError("libisal2 must be installed in CI (.ci/run installs it)");
        }
        assumeTrue(installed, "libisal2 is not installed; apt-get install libisal2 to test the ISA-L engine");
        Decompression.isalUnavailable().ifPresent(why -> {
            throw new AssertionError(why);
        });
    }

    static DecompressingInputStream open(String engine, InputStream raw) throws IOException {
        return with(engine, () -> Decompression.open(raw));
    }

    static DecompressingInputStream open(String engine, InputStream raw, Compression expected) throws IOException {
        return with(engine, () -> Decompression.open(raw, expected));
    }

    static DeflateEngine engine(String engine, int bufferSize) {
        assumeAvailable(engine);
        return engine.equals("isal") ? new IsalDeflateEngine(bufferSize) : new JdkDeflateEngine();
    }

    interface Opener<T> {
        T open() throws IOException;
    }

    static synchronized <T> T with(String engine, Opener<T> opener) throws IOException {
        assumeAvailable(engine);
        String old = System.getProperty(Decompression.ENGINE_PROPERTY);
        System.setProperty(Decompression.ENGINE_PROPERTY, engine);
        try {
            return opener.open();
        } finally {
            if (old == null) {
                System.clearProperty(Decompression.ENGINE_PROPERTY);
            } else {
                System.setProperty(Decompression.ENGINE_PROPERTY, old);
            }
        }
    }
}
