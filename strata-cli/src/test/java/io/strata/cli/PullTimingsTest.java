package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.testkit.OciArchive;
import io.strata.testkit.RegistryExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata pull --timings}: where a real pull's time went, per layer and stage, on stderr. */
class PullTimingsTest {
    @RegisterExtension
    static final RegistryExtension REGISTRY = new RegistryExtension();
    @TempDir
    Path dir;

    private static final Pattern SECONDS = Pattern.compile("[0-9]+\\.[0-9]{3}");

    @Test
    void printsEveryStageOfEveryLayerAndTheOneSyncfs() throws Exception {
        Path l1 = Files.createDirectories(dir.resolve("l1"));
        Path l2 = Files.createDirectories(dir.resolve("l2"));
        for (int i = 0; i < 50; i++) {
            Files.writeString(l1.resolve("f" + i), "content " + i);
        }
        Files.writeString(l2.resolve("top"), "top");
        OciArchive.build(dir, "timed:1", List.of(l1, l2), List.of("/bin/sh"));
        REGISTRY.registry().push(dir.resolve("layout"), "1", "strata/timed", false);
        String ref = REGISTRY.registry().host() + "/strata/timed:1";
        Path root = dir.resolve("root");

        Captured.Result r = Captured.run("pull", "--timings", "--root", root.toString(), "--plain-http", ref);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("unpacked to overlayfs");
        String t = r.err();
        assertThat(t).contains("timings (seconds)", "JVM start to command", "command to first layer byte",
                "command total", "syncfs (once, before the commits)");
        for (int layer = 0; layer < 2; layer++) {
            assertThat(t).containsPattern("layer " + layer + " [0-9a-f]{12} \\(gzip, [0-9.]+ MB, [0-9,]+ entries\\)");
        }
        assertThat(t.lines().filter(l -> l.contains("reader: input")).count()).isEqualTo(3); // two layers and the sum
        assertThat(t.lines().filter(l -> l.contains("writer: parse")).count()).isEqualTo(3);
        assertThat(t.lines().filter(l -> l.trim().startsWith("download")).count()).isEqualTo(2);
        assertThat(t.lines().filter(l -> l.trim().startsWith("commit")).count()).isEqualTo(2);
        assertThat(SECONDS.matcher(t).results().count()).isGreaterThan(20);

        // Without the flag: nothing of it; a second pull finds both layers unpacked.
        Captured.Result again = Captured.run("pull", "--root", root.toString(), "--plain-http", ref);
        assertThat(again.code()).isZero();
        assertThat(again.err()).doesNotContain("timings");
        assertThat(again.out()).contains("already unpacked");
    }
}
