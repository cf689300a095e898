package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.image.unpack.Unpacker;
import io.strata.oci.Descriptor;
import io.strata.testkit.OciArchive;
import io.strata.testkit.RegistryExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A pull's and an import's progress as ctr shows it: rows per blob on a terminal, a line per blob on a pipe, nothing with -q. */
class PullProgressTest {
    @RegisterExtension
    static final RegistryExtension REGISTRY = new RegistryExtension();
    @TempDir
    Path dir;

    private static final String LAYER_MEDIA = "application/vnd.oci.image.layer.v1.tar+gzip";

    private static Descriptor blob(String mediaType, char hex, long size) {
        return Descriptor.of(mediaType, "sha256:" + String.valueOf(hex).repeat(64), size);
    }

    @Test
    void onAPipeEachBlobGetsOneLineWhenItFinishes() {
        var bytes = new ByteArrayOutputStream();
        Descriptor manifest = blob("application/vnd.oci.image.manifest.v1+json", 'a', 500);
        Descriptor fetched = blob(LAYER_MEDIA, 'b', 4 << 20);
        Descriptor present = blob(LAYER_MEDIA, 'c', 1 << 20);
        try (PullProgress p = new PullProgress("reg/app:1", PullProgress.Mode.LINES, new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            p.progress(manifest, 500, 500);
            p.done(manifest);
            p.planned(List.of(fetched, present));
            p.progress(fetched, 1 << 20, 4 << 20);
            p.progress(fetched, 4 << 20, 4 << 20);
            p.done(fetched);
            p.done(present);
            p.started(0, "sha256:chain0");
            p.finished(0, new Unpacker.Outcome("sha256:chain0", Optional.empty(), 0, null));
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).startsWith("manifest-sha256:aaaaaaaaaaaa").contains("done", "500 B");
        assertThat(lines.get(1)).startsWith("layer-sha256:bbbbbbbbbbbb").contains("done", "4.0 MiB", " in ");
        assertThat(lines.get(2)).startsWith("layer-sha256:cccccccccccc").contains("exists");
        assertThat(lines.get(3)).startsWith("layer-sha256:bbbbbbbbbbbb").contains("exists");
        assertThat(lines.get(4)).startsWith("reg/app:1  elapsed:").contains("total: 4.0 MiB");
        assertThat(String.join("\n", lines)).doesNotContain("\u001b[");
    }

    @Test
    void onATerminalTheRowsAreRedrawnInPlaceWithABarWhileDownloading() {
        var bytes = new ByteArrayOutputStream();
        Descriptor layer = blob(LAYER_MEDIA, 'd', 10 << 20);
        Descriptor waiting = blob(LAYER_MEDIA, 'e', 1 << 20);
        PullProgress p = new PullProgress("reg/app:1", PullProgress.Mode.TERMINAL, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        p.planned(List.of(layer, waiting));
        p.progress(layer, 5 << 20, 10 << 20);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!bytes.toString(StandardCharsets.UTF_8).contains("\u001b[3A") && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // a second frame moves the cursor up over the first one's three rows
        }
        p.close();
        String screen = bytes.toString(StandardCharsets.UTF_8);
        assertThat(screen).contains("\u001b[3A", "\u001b[K");
        assertThat(screen).contains("layer-sha256:dddddddddddd downloading |+++++++++++++++---------------| 5.0 MiB/10.0 MiB");
        assertThat(screen).contains("layer-sha256:eeeeeeeeeeee waiting");
    }

    @Test
    void quietPullsPrintOnlyTheResultAndOtherwiseEveryLayerIsReported() throws Exception {
        Path l1 = Files.createDirectories(dir.resolve("l1"));
        Path l2 = Files.createDirectories(dir.resolve("l2"));
        Files.writeString(l1.resolve("a"), "a");
        Files.writeString(l2.resolve("b"), "b");
        OciArchive.build(dir, "progress:1", List.of(l1, l2), List.of("/bin/sh"));
        REGISTRY.registry().push(dir.resolve("layout"), "1", "strata/progress", false);
        String ref = REGISTRY.registry().host() + "/strata/progress:1";

        Captured.Result quiet = Captured.run("pull", "-q", "--root", dir.resolve("quiet").toString(), "--plain-http", ref);
        assertThat(quiet.code()).as(quiet.err()).isZero();
        assertThat(quiet.out().lines().toList()).singleElement().asString().startsWith(ref + " sha256:");
        assertThat(quiet.err()).isEmpty();

        Captured.Result piped = Captured.run("pull", "--root", dir.resolve("piped").toString(), "--plain-http", ref);
        assertThat(piped.code()).as(piped.err()).isZero();
        assertThat(piped.err().lines().filter(l -> l.startsWith("layer-sha256:")).count()).isEqualTo(2);
        assertThat(piped.err()).contains("manifest-sha256:", "config-sha256:", "unpacked", ref + "  elapsed:");
        assertThat(piped.out()).contains("layer 0 ", "layer 1 ", "unpacked to overlayfs");

        Captured.Result imported = Captured.run("import", "-q", "--root", dir.resolve("imported").toString(),
                dir.resolve("image.tar").toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out().lines().toList()).singleElement().asString().startsWith("progress:1 sha256:");
    }
}
