package io.strata.testkit;

import static io.strata.testkit.Tree.all;
import static io.strata.testkit.Tree.dir;
import static io.strata.testkit.Tree.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.FailedPreconditionException;
import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Kind;
import io.strata.api.NotFoundException;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.fs.FileOps;
import io.strata.fs.Mounter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The conformance cases of commit with a parent (containerd 2.2's rebase, which its unpacker uses
 * to apply layers in parallel): the stack a rebased snapshot makes, and what is refused.
 */
final class RebaseCases {
    private RebaseCases() {
    }

    private static boolean rebases(SnapshotterConformance.Env e) {
        return e.sn.capabilities().contains(Snapshotter.REBASE);
    }

    /**
     * A layer applied into a snapshot prepared without a parent, as overlay writes it (a whiteout is
     * a character device 0/0, an opaque directory carries trusted.overlay.opaque), then committed
     * onto the layer below, reads as the two stacked; a backend without the capability refuses and
     * keeps the snapshot active.
     */
    static void stacksAtCommit(SnapshotterConformance.Env e) throws Exception {
        String base = e.commitLayer("base", "", all(file("/keep", "keep", 0644), file("/gone", "gone", 0644),
                dir("/opq", 0755), file("/opq/old", "old", 0644), dir("/dir", 0755), file("/dir/old", "old", 0644)));
        Path upper = e.prepareMounted("rebased-active", "");
        Files.writeString(upper.resolve("new"), "new");
        FileOps.mknod(upper.resolve("gone"), 0020000, 0, 0);
        Files.createDirectory(upper.resolve("opq"));
        FileOps.setXattr(upper.resolve("opq"), "trusted.overlay.opaque", "y".getBytes(StandardCharsets.UTF_8));
        Files.writeString(upper.resolve("opq/fresh"), "fresh");
        Files.createDirectory(upper.resolve("dir"));
        Files.writeString(upper.resolve("dir/added"), "added");
        Mounter.unmountAll(upper);
        String top = e.key("rebased");

        if (!rebases(e)) {
            assertThatThrownBy(() -> e.sn.commit(top, upper.toString(), SnapshotOption.parent(base)))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("rebase");
            assertThat(e.sn.stat(upper.toString()).kind()).as("still active after the refusal").isEqualTo(Kind.ACTIVE);
            assertThatThrownBy(() -> e.sn.stat(top)).isInstanceOf(NotFoundException.class);
            e.sn.commit(top, upper.toString());
            assertThat(e.sn.stat(top).parent()).isEmpty();
            return;
        }
        e.sn.commit(top, upper.toString(), SnapshotOption.parent(base));
        Info info = e.sn.stat(top);
        assertThat(info.kind()).isEqualTo(Kind.COMMITTED);
        assertThat(info.parent()).contains(base);
        List<String> children = new ArrayList<>();
        e.sn.walk(i -> children.add(i.name()), "parent==\"" + base + "\"");
        assertThat(children).containsExactly(top);
        assertThatThrownBy(() -> e.sn.remove(base)).as("the rebased snapshot is its child")
                .isInstanceOf(FailedPreconditionException.class);

        Path flat = Files.createTempDirectory(e.work, "flat");
        SnapshotterConformance.FlatRoot.init(flat);
        all(file("/keep", "keep", 0644), file("/new", "new", 0644), dir("/opq", 0755), file("/opq/fresh", "fresh", 0644),
                dir("/dir", 0755), file("/dir/old", "old", 0644), file("/dir/added", "added", 0644)).apply(flat);
        e.checkSnapshot(top, flat);
        if (e.fixture.durable()) {
            e.sn.close();
            e.sn = e.fixture.reopen(e.root);
            assertThat(e.sn.stat(top).parent()).as("the new parent is stored").contains(base);
        }
        // A child of the rebased snapshot stacks all three.
        Path child = e.prepareMounted("on-rebased", top);
        assertThat(Files.readString(child.resolve("dir/old"))).isEqualTo("old");
        assertThat(Files.exists(child.resolve("gone"))).isFalse();
        assertThat(Files.exists(child.resolve("opq/old"))).isFalse();
        Mounter.unmountAll(child);
    }

    /**
     * What containerd's bolt store refuses at commit, and the parent it already has accepted; after
     * every refusal the active snapshot is still there, unchanged, and commits normally.
     */
    static void refusals(SnapshotterConformance.Env e) throws IOException {
        String base = e.commitLayer("base", "", file("/a", "a", 0644));
        String other = e.commitLayer("other", "", file("/b", "b", 0644));
        String onBase = e.key("on-base");
        e.sn.prepare(onBase, base);
        assertThatThrownBy(() -> e.sn.commit(e.key("x"), onBase, SnapshotOption.parent(other)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("cannot change parent");
        e.sn.commit(e.key("same"), onBase, SnapshotOption.parent(base));
        assertThat(e.sn.stat(e.key("same")).parent()).contains(base);

        String loose = e.key("loose");
        e.sn.prepare(loose, "");
        String active = e.key("an-active");
        e.sn.prepare(active, "");
        if (rebases(e)) {
            assertThatThrownBy(() -> e.sn.commit(e.key("y"), loose, SnapshotOption.parent(e.key("missing"))))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("missing");
            assertThatThrownBy(() -> e.sn.commit(e.key("y"), loose, SnapshotOption.parent(active)))
                    .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("not committed");
        } else {
            assertThatThrownBy(() -> e.sn.commit(e.key("y"), loose, SnapshotOption.parent(base)))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("rebase");
        }
        assertThatCode(() -> e.sn.commit(e.key("y"), loose, SnapshotOption.parent("")))
                .as("an empty parent is no rebase").doesNotThrowAnyException();
        assertThatThrownBy(() -> e.sn.prepare(e.key("z"), "", SnapshotOption.parent(base)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("for commit");
        Info y = e.sn.stat(e.key("y"));
        assertThat(y.kind()).isEqualTo(Kind.COMMITTED);
        assertThat(y.parent()).isEmpty();
        assertThat(e.sn.stat(active).kind()).isEqualTo(Kind.ACTIVE);
    }
}
