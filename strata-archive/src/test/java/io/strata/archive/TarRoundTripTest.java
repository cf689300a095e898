package io.strata.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.codec.compress.Compression;
import io.strata.codec.tar.EntryType;
import io.strata.codec.tar.TarEntry;
import io.strata.codec.tar.TarReader;
import io.strata.codec.tar.TarWriter;
import io.strata.testkit.TreeAssert;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strata's writer and reader agree with each other and with GNU tar. */
class TarRoundTripTest {
    @TempDir
    Path work;

    private static TarEntry entry(String name, EntryType type, int uid, Instant mtime, String link, Map<String, byte[]> x,
                                  long size) {
        return new TarEntry(name, type, 04755, uid, 77, "user", "group", size, mtime, Optional.empty(), link,
                type == EntryType.BLOCK_DEVICE ? 259 : 0, type == EntryType.BLOCK_DEVICE ? 70000 : 0, x, List.of());
    }

    @Test
    void whatIsWrittenIsReadBackExactly() throws IOException {
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        xattrs.put("security.capability", new byte[] {0, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        xattrs.put("user.\u00e9", new byte[] {(byte) 0xff, 0, '\n', '='});
        List<TarEntry> entries = List.of(
                entry("plain", EntryType.REGULAR, 0, Instant.ofEpochSecond(1), "", Map.of(), 5),
                entry("not-utf8-\u00ff\u00fe", EntryType.REGULAR, 3_000_000, Instant.ofEpochSecond(1_700_000_000, 123_456_789), "", xattrs, 0),
                entry("d/".repeat(120) + "leaf", EntryType.SYMLINK, 1, Instant.ofEpochSecond(-2, 500_000_000), "t/".repeat(100), Map.of(), 0),
                entry("dir", EntryType.DIRECTORY, 0, Instant.ofEpochSecond(99_999_999_999L), "", Map.of(), 0),
                entry("blk", EntryType.BLOCK_DEVICE, 0, Instant.EPOCH, "", Map.of(), 0),
                entry("hl", EntryType.HARDLINK, 0, Instant.EPOCH, "plain", Map.of(), 0));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        for (TarEntry e : entries) {
            w.putEntry(e);
            if (e.size() > 0) {
                w.write("hello".getBytes(), 0, 5);
            }
        }
        w.finish();
        assertThat(w.bytesWritten()).isEqualTo(out.size());
        assertThat(out.size() % 512).isZero();

        TarReader r = new TarReader(new ByteArrayInputStream(out.toByteArray()));
        List<TarEntry> read = new ArrayList<>();
        Optional<TarEntry> e;
        while ((e = r.next()).isPresent()) {
            read.add(e.get());
            if (e.get().size() > 0) {
                byte[] b = new byte[10];
                assertThat(r.read(b, 0, 10)).isEqualTo(5);
                assertThat(new String(b, 0, 5)).isEqualTo("hello");
            }
        }
        assertThat(r.position()).isEqualTo(out.size());
        assertThat(read).hasSize(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            TarEntry want = entries.get(i);
            TarEntry got = read.get(i);
            assertThat(got.name()).isEqualTo(want.name());
            assertThat(got.type()).isEqualTo(want.type());
            assertThat(got.mode()).isEqualTo(want.mode());
            assertThat(got.uid()).isEqualTo(want.uid());
            assertThat(got.gid()).isEqualTo(want.gid());
            assertThat(got.mtime()).isEqualTo(want.mtime());
            assertThat(got.linkName()).isEqualTo(want.linkName());
            assertThat(got.devMajor()).isEqualTo(want.devMajor());
            assertThat(got.devMinor()).isEqualTo(want.devMinor());
            assertThat(got.size()).isEqualTo(want.size());
            assertThat(got.xattrs().keySet()).containsExactlyElementsOf(want.xattrs().keySet());
            want.xattrs().forEach((k, v) -> assertThat(got.xattrs().get(k)).containsExactly(v));
        }
    }

    @Test
    void gnuTarExtractsWhatStrataWrites() throws Exception {
        Path tree = work.resolve("tree");
        io.strata.archive.RichTreeAccess.build(tree);
        Path tar = work.resolve("layer.tar");
        try (var out = Files.newOutputStream(tar)) {
            Layers.diffTrees(Optional.empty(), tree, out, Compression.NONE);
        }
        Path extracted = Files.createDirectories(work.resolve("extracted"));
        Process p = new ProcessBuilder("tar", "--xattrs", "--xattrs-include=*", "--same-owner", "--numeric-owner", "-xpf",
                tar.toString(), "-C", extracted.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();
        assertThat(output).isEmpty();
        TreeAssert.assertSameTree(tree, extracted);
    }
}
