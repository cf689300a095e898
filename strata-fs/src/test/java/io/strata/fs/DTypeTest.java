package io.strata.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DTypeTest {
    @TempDir
    Path dir;

    @Test
    void ext4FillsDTypeAndTheProbeIsRemoved() throws Exception {
        Files.writeString(dir.resolve("existing"), "x");
        assertThat(DType.supported(dir)).isTrue();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("existing");
        }
    }

    @Test
    void readsTheTypesGetdentsReports() throws Exception {
        Files.createDirectory(dir.resolve("d"));
        Files.createFile(dir.resolve("f"));
        Files.createSymbolicLink(dir.resolve("l"), Path.of("f"));
        java.util.Map<String, Integer> types = new java.util.TreeMap<>();
        DirReader.read(NativePath.bytes(dir), (name, len, type) -> types.put(name.getString(0), type));
        assertThat(types).containsExactly(
                java.util.Map.entry("d", 4), // DT_DIR
                java.util.Map.entry("f", 8), // DT_REG
                java.util.Map.entry("l", 10)); // DT_LNK
    }

    @Test
    void missingDirectoryFails() {
        assertThatThrownBy(() -> DType.supported(dir.resolve("missing"))).isInstanceOf(java.io.IOException.class);
    }
}
