package io.strata.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.testkit.OciArchive;
import io.strata.testkit.TreeAssert;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Strata's applier against GNU tar on the same archive: the trees must agree on everything (type,
 * mode with setuid/setgid/sticky, owner, content, link targets, device numbers, xattrs including
 * binary security.capability, mtimes to the nanosecond, link counts), for archives GNU tar writes in
 * its gnu and pax formats, with sparse files, plain, gzip- and zstd-compressed.
 */
class GnuTarParityTest {
    @TempDir
    static Path work;

    @BeforeAll
    static void source() throws Exception {
        RichTree.build(work.resolve("src"));
    }

    @ParameterizedTest(name = "{0} format, {1}")
    @CsvSource({"pax, none", "gnu, none", "pax, gzip", "gnu, zstd", "posix, gzip"})
    void appliesLikeGnuTar(String format, String compression) throws Exception {
        String name = format + "-" + compression;
        Path tar = work.resolve(name + ".tar");
        OciArchive.run(work, "tar", "--format=" + format, "--xattrs", "--xattrs-include=*", "--sparse", "--numeric-owner",
                "-cf", tar.toString(), "-C", work.resolve("src").toString(), ".");
        Path ref = Files.createDirectories(work.resolve("ref-" + name));
        OciArchive.run(work, "tar", "--xattrs", "--xattrs-include=*", "--same-owner", "--numeric-owner", "-xpf",
                tar.toString(), "-C", ref.toString());
        String diffId = OciArchive.sha256(tar);
        Path layer = switch (compression) {
            case "gzip" -> {
                OciArchive.run(work, "gzip", "-k", tar.toString());
                yield Path.of(tar + ".gz");
            }
            case "zstd" -> {
                OciArchive.run(work, "zstd", "-q", "-k", tar.toString());
                yield Path.of(tar + ".zst");
            }
            default -> tar;
        };

        Path out = Files.createDirectories(work.resolve("strata-" + name));
        ApplyResult result;
        try (InputStream in = Files.newInputStream(layer)) {
            result = Layers.applyTo(out, Whiteouts.DELETE, java.util.List.of(), in,
                    ApplyOptions.DEFAULTS.withExpectedDiffId("sha256:" + diffId));
        }

        // GNU tar restored every feature, so agreeing with it is not agreeing on nothing.
        assertThat(TreeAssert.describe(ref, true).toString()).contains("xattr:security.capability=", "xattr:user.comment=",
                "xattr:user.dirattr=0001", "nlink=3", "chardev", "blockdev", "fifo", "mode=4755", "mode=2755", "mode=1777",
                "uid=3000000", "target=/etc/passwd", "directory-with-a-long-name-11/" + "f".repeat(200), "mtime=2020-09-13T12:26:40.123456789Z");
        TreeAssert.assertSameTreeExactly(ref, out);
        assertThat(result.diffId()).isEqualTo("sha256:" + diffId);
        assertThat(result.digest()).isEqualTo("sha256:" + OciArchive.sha256(layer));
        assertThat(result.compression()).isEqualTo(compression);
        assertThat(result.size()).isEqualTo(Files.size(tar));
        assertThat(result.compressedSize()).isEqualTo(Files.size(layer));
        // The sparse file stays sparse.
        assertThat(io.strata.fs.Stat.lstat(out.resolve("data/sparse.img")).blocks() * 512).isLessThan(1 << 20);
    }
}
