package io.strata.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.InvalidArgumentException;
import io.strata.codec.tar.EntryType;
import io.strata.codec.tar.Latin1;
import io.strata.codec.tar.TarEntry;
import io.strata.testkit.TreeAssert;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Archives built to break out of the tree or to break the reader. Each must fail with an
 * {@link InvalidArgumentException} that says what was wrong, or (for links that the kernel keeps
 * inside the root) land inside the tree; never may anything outside the tree change.
 */
class HostileLayerTest {
    @TempDir
    Path work;
    Path root;
    Path outside;
    Map<String, String> outsideBefore;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(work.resolve("root"));
        outside = Files.createDirectories(work.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "keep me");
        Files.createDirectories(outside.resolve("etc"));
        outsideBefore = TreeAssert.describe(work.resolve("outside"), true);
    }

    private void outsideUnchanged() throws Exception {
        assertThat(TreeAssert.describe(outside, true)).isEqualTo(outsideBefore);
        try (Stream<Path> s = Files.list(work)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("root", "outside");
        }
    }

    private ApplyResult apply(byte[] layer) {
        return Layers.applyTo(root, Whiteouts.DELETE, List.of(), new ByteArrayInputStream(layer), ApplyOptions.DEFAULTS);
    }

    static Stream<Arguments> refused() {
        String out = "../outside/evil";
        return Stream.of(
                Arguments.of("dot-dot name", new LayerBuilder().file(out, "x").bytes(), "leads outside the root"),
                Arguments.of("dot-dot deep", new LayerBuilder().file("a/b/../../../outside/evil", "x").bytes(), "leads outside the root"),
                Arguments.of("symlink climbing out", new LayerBuilder().symlink("rel", "../../outside").bytes(), "leads outside the root"),
                Arguments.of("nested symlink climbing out", new LayerBuilder().dir("a").symlink("a/b", "../../x").bytes(), "leads outside the root"),
                Arguments.of("name too long", new LayerBuilder().file("x".repeat(300), "x").bytes(), "too long"),
                Arguments.of("hard link to a directory", new LayerBuilder().dir("d").hardlink("h", "d").bytes(), "cannot be linked"),
                Arguments.of("symlink loop", new LayerBuilder().symlink("a", "b").symlink("b", "a").file("a/x", "y").bytes(),
                        "too many levels of symbolic links"),
                Arguments.of("absolute name", new LayerBuilder().file("/etc/evil", "x").bytes(), "absolute path"),
                Arguments.of("hardlink out", new LayerBuilder().hardlink("h", "../outside/secret").bytes(), "leads outside the root"),
                Arguments.of("hardlink absolute", new LayerBuilder().hardlink("h", "/etc/passwd").bytes(), "absolute path"),
                Arguments.of("whiteout dot-dot", new LayerBuilder().file("a/.wh...", "").bytes(), "invalid whiteout name"),
                Arguments.of("whiteout out", new LayerBuilder().file("../.wh.outside", "").bytes(), "leads outside the root"),
                Arguments.of("file as parent", new LayerBuilder().file("f", "x").file("f/child", "y").bytes(), "is not one"),
                Arguments.of("nul in pax path", pax("path", "a\0b"), "NUL"),
                Arguments.of("bad checksum", flip(new LayerBuilder().file("f", "x").bytes(), 148), "checksum"),
                Arguments.of("not a tar", "hello, this is not an archive at all".repeat(20).getBytes(), "checksum"),
                Arguments.of("cut in content", Arrays.copyOf(new LayerBuilder().file("f", "x".repeat(5000)).bytes(), 2048), "truncated"),
                Arguments.of("cut mid header", Arrays.copyOf(new LayerBuilder().file("f", "x").bytes(), 300), "truncated"),
                Arguments.of("no end blocks", Arrays.copyOf(new LayerBuilder().file("f", "x").bytes(), 1024), "end-of-archive"),
                Arguments.of("absurd size", withSize(new LayerBuilder().file("f", "x").bytes(), "77777777777"), "truncated"),
                Arguments.of("base-256 size", base256Size(new LayerBuilder().file("f", "x").bytes()), "size overflows"),
                Arguments.of("garbage size", withSize(new LayerBuilder().file("f", "x").bytes(), "12x45678901"), "non-octal size"),
                Arguments.of("huge pax header", paxHeaderOfSize(2 << 20), "exceeds"),
                Arguments.of("pax record length lies", paxRaw("999 path=a\n"), "malformed PAX record"),
                Arguments.of("pax uid absurd", pax("uid", "99999999999999"), "out of range"),
                Arguments.of("pax size negative", pax("size", "-5"), "bad PAX size"),
                Arguments.of("pax mtime garbage", pax("mtime", "12.3x"), "bad PAX mtime"),
                Arguments.of("unknown type", withType(new LayerBuilder().file("f", "x").bytes(), (byte) 'Z'), "unsupported entry type 'Z'"),
                Arguments.of("sparse map overlaps", pax2(Map.of("GNU.sparse.map", "0,10,5,10", "GNU.sparse.size", "100")), "overlapping"),
                Arguments.of("corrupt gzip", flip(gzip(new LayerBuilder().file("f", "x".repeat(10000)).bytes()), 40), "invalid layer"),
                Arguments.of("truncated gzip", cut(gzip(new LayerBuilder().file("f", "x".repeat(10000)).bytes()), 20), "invalid layer"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusedWithAClearError(String name, byte[] layer, String message) throws Exception {
        assertThatThrownBy(() -> apply(layer)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining(message);
        outsideUnchanged();
    }

    @Test
    void symlinksAreFollowedOnlyInsideTheRoot() throws Exception {
        byte[] layer = new LayerBuilder()
                .symlink("abs", outside.toString())          // absolute: means <root>/<that path>
                .file("abs/secret", "inside")
                .dir("sub").symlink("sub/up", "..")          // climbs to the root, not past it
                .file("sub/up/outside/secret", "also inside")
                .symlink("etc", "/outside/etc")
                .file("etc/passwd", "pw")
                .bytes();
        apply(layer);
        outsideUnchanged();
        assertThat(root.resolve(outside.toString().substring(1)).resolve("secret")).hasContent("inside");
        assertThat(root.resolve("outside/secret")).hasContent("also inside");
        assertThat(root.resolve("outside/etc/passwd")).hasContent("pw");
    }

    @Test
    void aSymlinkSwappedInForADirectoryCannotLeadOut() throws Exception {
        byte[] layer = new LayerBuilder()
                .dir("d").file("d/a", "a")
                .symlink("d", outside.toString())            // replaces the directory
                .file("d/secret", "overwrite?")
                .hardlink("d/link", "d/secret")
                .symlink("x", outside.resolve("secret").toString())
                .hardlink("x-link", "x")                     // links the symlink itself
                .bytes();
        apply(layer);
        outsideUnchanged();
        assertThat(Files.isSymbolicLink(root.resolve("d"))).isTrue();
        assertThat(root.resolve(outside.toString().substring(1)).resolve("secret")).hasContent("overwrite?");
        assertThat(Files.isSymbolicLink(root.resolve("x-link"))).isTrue();
    }

    @Test
    void aDirectorySwappedInForASymlinkIsARealDirectory() throws Exception {
        byte[] layer = new LayerBuilder().symlink("s", outside.toString()).dir("s").file("s/secret", "inside").bytes();
        apply(layer);
        outsideUnchanged();
        assertThat(Files.isDirectory(root.resolve("s"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(root.resolve("s/secret")).hasContent("inside");
    }

    @Test
    void devicesCanBeRefused() throws Exception {
        byte[] layer = new LayerBuilder().entry(new TarEntry("null", EntryType.CHAR_DEVICE, 0666, 0, 0, "", "", 0,
                LayerBuilder.T, Optional.empty(), "", 1, 3, Map.of(), List.of()), null).bytes();
        assertThatThrownBy(() -> Layers.applyTo(root, Whiteouts.DELETE, List.of(), new ByteArrayInputStream(layer),
                ApplyOptions.DEFAULTS.withAllowDevices(false)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("device entry null is not allowed");
        assertThat(root).isEmptyDirectory();
    }

    @Test
    void mismatchedDigestsAreReported() throws Exception {
        byte[] layer = new LayerBuilder().file("f", "x").bytes();
        String actual = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(layer));
        String wrong = "sha256:" + "0".repeat(64);
        assertThatThrownBy(() -> Layers.applyTo(root, Whiteouts.DELETE, List.of(), new ByteArrayInputStream(layer),
                ApplyOptions.DEFAULTS.withExpectedDiffId(wrong)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("layer DiffID mismatch: expected " + wrong + ", got " + actual);
        byte[] gz = gzip(layer);
        assertThatThrownBy(() -> Layers.applyTo(root, Whiteouts.DELETE, List.of(), new ByteArrayInputStream(gz),
                ApplyOptions.DEFAULTS.withExpectedDiffId(actual).withExpectedDigest(wrong)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("layer digest mismatch");
        assertThatThrownBy(() -> ApplyOptions.DEFAULTS.withExpectedDiffId("md5:abc"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("md5:abc");
    }

    // ---- builders of broken archives ----

    private static byte[] pax(String key, String value) {
        return pax2(Map.of(key, value));
    }

    private static byte[] pax2(Map<String, String> records) {
        StringBuilder sb = new StringBuilder();
        records.forEach((k, v) -> {
            String body = " " + k + "=" + v + "\n";
            int len = body.length() + 1;
            while (len != body.length() + Integer.toString(len).length()) {
                len = body.length() + Integer.toString(len).length();
            }
            sb.append(len).append(body);
        });
        return paxRaw(sb.toString());
    }

    private static byte[] paxRaw(String records) {
        byte[] recs = Latin1.bytes(records);
        byte[] header = header("PaxHeaders/f", 'x', recs.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        out.writeBytes(Arrays.copyOf(recs, (recs.length + 511) / 512 * 512));
        out.writeBytes(new LayerBuilder().file("f", "x").bytes());
        return out.toByteArray();
    }

    private static byte[] paxHeaderOfSize(int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header("PaxHeaders/f", 'x', size));
        out.writeBytes(new byte[(size + 511) / 512 * 512]);
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    /** A bare ustar header block with a correct checksum. */
    private static byte[] header(String name, char type, long size) {
        byte[] h = new byte[512];
        System.arraycopy(name.getBytes(StandardCharsets.US_ASCII), 0, h, 0, name.length());
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, "00000000000");
        h[156] = (byte) type;
        put(h, 257, "ustar");
        h[263] = '0';
        h[264] = '0';
        return checksum(h);
    }

    private static void put(byte[] h, int off, String s) {
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, s.length());
    }

    private static byte[] checksum(byte[] h) {
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        return h;
    }

    private static byte[] withSize(byte[] tar, String octal11) {
        byte[] t = tar.clone();
        put(t, 124, octal11);
        byte[] h = checksum(Arrays.copyOf(t, 512));
        System.arraycopy(h, 0, t, 0, 512);
        return t;
    }

    private static byte[] base256Size(byte[] tar) {
        byte[] t = tar.clone();
        Arrays.fill(t, 124, 136, (byte) 0x7f);
        t[124] = (byte) 0x80;
        byte[] h = checksum(Arrays.copyOf(t, 512));
        System.arraycopy(h, 0, t, 0, 512);
        return t;
    }

    private static byte[] withType(byte[] tar, byte type) {
        byte[] t = tar.clone();
        t[156] = type;
        byte[] h = checksum(Arrays.copyOf(t, 512));
        System.arraycopy(h, 0, t, 0, 512);
        return t;
    }

    private static byte[] flip(byte[] data, int at) {
        byte[] d = data.clone();
        d[at] ^= 0x55;
        return d;
    }

    private static byte[] cut(byte[] data, int drop) {
        return Arrays.copyOf(data, data.length - drop);
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
