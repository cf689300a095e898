package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.cli.Captured.Result;
import io.strata.testkit.OciArchive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ctr's image, content and lease commands (issue 19): tag, label, content ls|get|rm, leases, and their refusals. */
class ImagesAndContentCommandsTest {
    @TempDir
    Path dir;
    private String root;
    private String manifest;
    private String layer;

    private Result strata(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--root";
        all[1] = root;
        System.arraycopy(args, 0, all, 2, args.length);
        return Captured.run(all);
    }

    @BeforeEach
    void importAnImage() throws Exception {
        root = dir.resolve("root").toString();
        Path l1 = Files.createDirectories(dir.resolve("l1"));
        Files.writeString(l1.resolve("hello"), "hello");
        Path archive = OciArchive.build(dir, "app:1", List.of(l1), List.of("/bin/sh"));
        Result imported = strata("import", "-q", "--no-unpack", archive.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        manifest = imported.out().strip().split(" ")[1];
        layer = "sha256:" + OciArchive.sha256(gzipLayerOf(dir.resolve("layout/blobs/sha256")));
    }

    /** The layout's gzip blob (starts with gzip's magic). */
    private static Path gzipLayerOf(Path blobs) throws Exception {
        try (var s = Files.list(blobs)) {
            for (Path p : s.toList()) {
                byte[] head = Files.readAllBytes(p);
                if (head.length > 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
                    return p;
                }
            }
        }
        throw new AssertionError("no gzip layer in " + blobs);
    }

    private List<String> names() {
        return strata("images", "ls", "-q").out().lines().toList();
    }

    @Test
    void tagGivesNamesAndRefusesATakenOneUnlessForced() throws Exception {
        Result tag = strata("images", "tag", "app:1", "app:2", "app:latest");
        assertThat(tag.code()).as(tag.err()).isZero();
        assertThat(tag.out().lines().toList()).containsExactly("app:2", "app:latest");
        assertThat(names()).containsExactlyInAnyOrder("app:1", "app:2", "app:latest");

        Path l2 = Files.createDirectories(dir.resolve("other/l2"));
        Files.writeString(l2.resolve("x"), "x");
        Path other = OciArchive.build(dir.resolve("other"), "other:1", List.of(l2), List.of("/bin/sh"));
        assertThat(strata("import", "-q", "--no-unpack", other.toString()).code()).isZero();
        Result taken = strata("images", "tag", "other:1", "app:new", "app:2");
        assertThat(taken.code()).isEqualTo(4);
        assertThat(taken.err()).contains("image \"app:2\": already exists", "--force");
        assertThat(names()).as("a refused tag adds no name either").doesNotContain("app:new");
        assertThat(strata("images", "inspect", "app:2").out()).contains(manifest);

        assertThat(strata("images", "tag", "--force", "other:1", "app:2").code()).isZero();
        assertThat(strata("images", "inspect", "app:2").out()).doesNotContain(manifest);

        Result missing = strata("images", "tag", "nope:1", "x:1");
        assertThat(missing.code()).isEqualTo(3);
        assertThat(missing.err()).contains("image \"nope:1\": not found");
    }

    @Test
    void labelSetsAndDeletesAndPrintsTheLabels() {
        Result set = strata("images", "label", "app:1", "team=a", "tier=web");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out().lines().toList()).containsExactly("team=a", "tier=web");
        Result del = strata("images", "label", "app:1", "team=");
        assertThat(del.out().lines().toList()).containsExactly("tier=web");
        assertThat(strata("images", "inspect", "app:1").out()).contains("\"tier\":\"web\"").doesNotContain("team");
        Result bad = strata("images", "label", "app:1", "novalue");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("label \"novalue\" is not of the form key=value");
    }

    @Test
    void contentListsGetsAndRemovesOnlyWhatNothingHolds() throws Exception {
        Result ls = strata("content", "ls");
        assertThat(ls.code()).as(ls.err()).isZero();
        assertThat(ls.out().lines().findFirst()).hasValueSatisfying(h -> assertThat(h).startsWith("DIGEST").contains("SIZE", "AGE", "LABELS"));
        assertThat(ls.out()).contains(manifest, layer, "containerd.io/gc.ref.content.l.0=" + layer);
        assertThat(strata("content", "ls", "-q").out().lines().toList()).hasSize(3).contains(manifest, layer);
        assertThat(strata("content", "ls", "--json").out().lines().toList()).hasSize(3)
                .allSatisfy(l -> assertThat(l).startsWith("{\"digest\":\"sha256:").contains("\"labels\":{"));

        Result got = strata("content", "get", manifest);
        assertThat(got.code()).isZero();
        assertThat(got.out()).isEqualTo(Files.readString(dir.resolve("layout/blobs/sha256").resolve(manifest.substring(7))));

        Result held = strata("content", "rm", layer, manifest);
        assertThat(held.code()).isEqualTo(5);
        assertThat(held.err()).contains("content " + layer + " is held by blob " + manifest + " (containerd.io/gc.ref.content.l.0)",
                "--force");
        assertThat(strata("content", "ls", "-q").out().lines().toList()).as("nothing removed").hasSize(3);
        Result heldByImage = strata("content", "rm", manifest);
        assertThat(heldByImage.err()).contains("held by image app:1 (namespace default)");

        assertThat(strata("images", "rm", "app:1").code()).isZero();
        assertThat(strata("content", "rm", manifest).code()).as("nothing holds the manifest now").isZero();
        assertThat(strata("content", "rm", "--force", layer).code()).isZero();
        assertThat(strata("content", "ls", "-q").out().lines().toList()).hasSize(1);

        assertThat(strata("content", "rm", layer).code()).isEqualTo(3);
        Result notDigest = strata("content", "get", "abc");
        assertThat(notDigest.code()).isEqualTo(2);
        assertThat(notDigest.err()).contains("invalid digest \"abc\": expected sha256:<64 lowercase hex>");
    }

    @Test
    void leasesAreCreatedListedAndRemoved() {
        Result created = strata("leases", "create", "--id", "build-1", "--expires", "1h", "owner=ci");
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(created.out().strip()).isEqualTo("build-1");
        String fresh = strata("leases", "create").out().strip();
        assertThat(fresh).startsWith("strata-");

        Result ls = strata("leases", "ls");
        assertThat(ls.out()).startsWith("ID").contains("CREATED AT", "build-1", "owner=ci", "containerd.io/gc.expire=", fresh);
        assertThat(strata("leases", "ls", "--json").out()).contains("\"id\":\"build-1\"", "\"resources\":[]");
        assertThat(strata("-n", "other", "leases", "ls", "-q").out()).as("leases are per namespace").isEmpty();

        assertThat(strata("leases", "create", "--id", "build-1").code()).isEqualTo(4);
        Result badExpiry = strata("leases", "create", "--expires", "soon");
        assertThat(badExpiry.code()).isEqualTo(2);
        assertThat(badExpiry.err()).contains("--expires \"soon\" is not a duration");
        Result unknown = strata("leases", "rm", "build-1", "nope");
        assertThat(unknown.code()).isEqualTo(3);
        assertThat(strata("leases", "ls", "-q").out()).as("a refused rm removes none").contains("build-1");

        assertThat(strata("leases", "rm", "build-1", fresh).code()).isZero();
        assertThat(strata("leases", "ls", "-q").out()).isEmpty();
    }
}
