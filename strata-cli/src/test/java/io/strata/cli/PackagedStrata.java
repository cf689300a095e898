package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code strata} command as the build ships it, for integration tests: the shaded jar and its
 * AOT cache, with the launcher's JVM flags (the cache is only taken with exactly those).
 */
final class PackagedStrata {
    static final Path JAR = Path.of("target", "strata.jar").toAbsolutePath();
    static final Path AOT_CACHE = Path.of("target", "strata.aot").toAbsolutePath();

    private PackagedStrata() {
    }

    /** {@code java … -jar strata.jar}, followed by {@code args}. */
    static List<String> command(String... args) {
        assertThat(JAR).as("the packaged jar (integration tests run after package)").exists();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        if (Files.exists(AOT_CACHE)) {
            cmd.addAll(List.of("-XX:AOTCache=" + AOT_CACHE, "-Xlog:aot=off", "-Xlog:cds=off"));
        }
        cmd.addAll(List.of("-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
