package io.strata.testkit;

import static io.strata.testkit.Tree.all;
import static io.strata.testkit.Tree.dir;
import static io.strata.testkit.Tree.file;
import static io.strata.testkit.Tree.removeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.AlreadyExistsException;
import io.strata.api.FailedPreconditionException;
import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Kind;
import io.strata.api.NotFoundException;
import io.strata.fs.Mounter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * containerd's suite, first part: the life of a snapshot (prepare, view, commit, stat, update,
 * remove) and the errors of each step.
 */
public abstract class LifecycleConformance extends ConformanceBase {

    // ---- containerd's suite ----------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void basicLifecycle(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            Tree.Op initial = all(file("/foo", "foo\n", 0777), dir("/a", 0755), dir("/a/b", 0755), dir("/a/b/c", 0755));
            Tree.Op diff = all(file("/bar", "bar\n", 0777), file("/foo", "bar\n", 0777), removeAll("/a/b"));

            Path preparing = e.prepareMounted("preparing", "");
            initial.apply(preparing);
            Mounter.unmountAll(preparing);
            String committed = e.key("committed");
            e.sn.commit(committed, preparing.toString(), GC_ROOT);

            Info si = e.sn.stat(committed);
            assertThat(si.parent()).isEmpty();
            assertThat(si.kind()).isEqualTo(Kind.COMMITTED);
            assertThatThrownBy(() -> e.sn.stat(preparing.toString())).isInstanceOf(NotFoundException.class);

            Path next = e.prepareMounted("nextlayer", committed);
            Path flat = Files.createDirectory(e.work.resolve("flat"));
            FlatRoot.init(flat);
            initial.apply(flat);
            TreeAssert.assertSameTree(flat, next);
            diff.apply(next);
            Mounter.unmountAll(next);

            Info ni = e.sn.stat(next.toString());
            assertThat(ni.parent()).contains(committed);
            assertThat(ni.kind()).isEqualTo(Kind.ACTIVE);

            String nextCommitted = e.key("committed-next");
            e.sn.commit(nextCommitted, next.toString(), GC_ROOT);
            Info si2 = e.sn.stat(nextCommitted);
            assertThat(si2.parent()).contains(committed);
            assertThat(si2.kind()).isEqualTo(Kind.COMMITTED);
            assertThatThrownBy(() -> e.sn.stat(next.toString())).isInstanceOf(NotFoundException.class);

            Map<String, Info> walked = new HashMap<>();
            e.sn.walk(i -> walked.put(i.name(), i));
            assertThat(walked).containsEntry(committed, si).containsEntry(nextCommitted, si2).hasSize(2);

            Path nextnext = Files.createDirectory(e.work.resolve("nextnextlayer"));
            Mounter.mountAll(e.sn.view(nextnext.toString(), nextCommitted, GC_ROOT), nextnext);
            diff.apply(flat);
            TreeAssert.assertSameTree(flat, nextnext);
            Mounter.unmountAll(nextnext);

            e.sn.remove(nextnext.toString());
            assertThatThrownBy(() -> e.sn.remove(committed))
                    .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("remove");
            e.sn.remove(nextCommitted);
            e.sn.remove(committed);
            assertThat(e.sn.list()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void statActive(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            Path preparing = e.prepareMounted("preparing", "");
            Files.writeString(preparing.resolve("foo"), "foo\n");
            Mounter.unmountAll(preparing);
            Info si = e.sn.stat(preparing.toString());
            assertThat(si.name()).isEqualTo(preparing.toString());
            assertThat(si.kind()).isEqualTo(Kind.ACTIVE);
            assertThat(si.parent()).isEmpty();
            assertThat(si.created()).isEqualTo(si.updated());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void statCommitted(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            String committed = e.commitLayer("committed", "", file("/foo", "foo\n", 0777));
            Info si = e.sn.stat(committed);
            assertThat(si.name()).isEqualTo(committed);
            assertThat(si.kind()).isEqualTo(Kind.COMMITTED);
            assertThat(si.parent()).isEmpty();
            assertThat(si.labels()).containsKey("containerd.io/gc.root");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void transitivity(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            String snapA = e.commitLayer("snapA", "", file("/foo", "foo\n", 0777));
            String snapB = e.commitLayer("snapB", snapA, file("/foo", "foo bar\n", 0777));
            Info siA = e.sn.stat(snapA);
            Info siB = e.sn.stat(snapB);
            Info siParentB = e.sn.stat(siB.parent().orElseThrow());
            assertThat(siA.parent()).isEmpty();
            assertThat(siB.parent()).contains(snapA);
            assertThat(siParentB.parent()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void prepareAndViewFailures(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            String snapA = e.commitLayer("snapA", "", all());
            String newLayer = e.key("newlayer");
            e.sn.prepare(newLayer, snapA, GC_ROOT);
            assertThatThrownBy(() -> e.sn.view(newLayer, snapA, GC_ROOT)).isInstanceOf(AlreadyExistsException.class);
            assertThatThrownBy(() -> e.sn.prepare(newLayer, snapA, GC_ROOT)).isInstanceOf(AlreadyExistsException.class);
            assertThatThrownBy(() -> e.sn.prepare(snapA, "", GC_ROOT)).isInstanceOf(AlreadyExistsException.class);
            String viewLayer = e.key("viewLayer");
            e.sn.view(viewLayer, snapA, GC_ROOT);
            assertThatThrownBy(() -> e.sn.view(viewLayer, snapA, GC_ROOT)).isInstanceOf(AlreadyExistsException.class);

            List<Info> before = e.sn.list();
            assertThatThrownBy(() -> e.sn.prepare(e.key("x"), e.key("no-such-parent")))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("no-such-parent");
            assertThatThrownBy(() -> e.sn.view(e.key("x"), e.key("no-such-parent")))
                    .isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> e.sn.prepare(e.key("x"), newLayer))
                    .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("not committed");
            assertThatThrownBy(() -> e.sn.view(e.key("x"), viewLayer))
                    .isInstanceOf(FailedPreconditionException.class);
            assertThat(e.sn.list()).containsExactlyInAnyOrderElementsOf(before);
        }
    }


    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void updateLabels(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            Instant t1 = Instant.now();
            baseSnapshots(e.sn);
            Instant t2 = Instant.now();
            record Case(String name, Kind kind, String parent) {
            }
            for (Case tc : List.of(new Case("c1", Kind.COMMITTED, ""), new Case("c2", Kind.COMMITTED, "c1"),
                    new Case("a1", Kind.ACTIVE, "c2"), new Case("a2", Kind.ACTIVE, ""),
                    new Case("v1", Kind.VIEW, "c2"), new Case("v2", Kind.VIEW, ""))) {
                Info st = e.sn.stat(tc.name());
                assertThat(st.created()).isBetween(t1, t2);
                assertThat(st.updated()).isEqualTo(st.created());
                assertThat(st.kind()).isEqualTo(tc.kind());
                assertThat(st.parentOrEmpty()).isEqualTo(tc.parent());
                assertThat(st.name()).isEqualTo(tc.name());
                Instant createdAt = st.created();
                String rootTime = Instant.now().toString();

                Map<String, String> expected = Map.of("l1", "v1", "l2", "v2", "l3", "v3", "containerd.io/gc.root", rootTime);
                Info asked = new Info(tc.name(), tc.kind(), java.util.Optional.of("doesnotexist"), expected, st.created(), st.updated());
                Instant u1 = Instant.now();
                st = e.sn.update(asked);
                Instant u2 = Instant.now();
                assertThat(st.created()).isEqualTo(createdAt);
                assertThat(st.updated()).isBetween(u1, u2);
                assertThat(st.kind()).isEqualTo(tc.kind());
                assertThat(st.parentOrEmpty()).isEqualTo(tc.parent());
                assertThat(st.labels()).isEqualTo(expected);
                assertThat(e.sn.stat(tc.name())).isEqualTo(st);

                st = e.sn.update(st.withLabels(Map.of("l1", "updated", "l4", "v4")), "labels.l1", "labels.l2");
                assertThat(st.labels()).isEqualTo(Map.of("l1", "updated", "l3", "v3", "containerd.io/gc.root", rootTime));

                Map<String, String> replaced = Map.of("l4", "v4", "containerd.io/gc.root", rootTime);
                st = e.sn.update(st.withLabels(replaced), "labels");
                assertThat(st.labels()).isEqualTo(replaced);

                Info before = e.sn.stat(tc.name());
                assertThatThrownBy(() -> e.sn.update(tc.name(), Map.of(), "parent"))
                        .isInstanceOf(InvalidArgumentException.class);
                assertThatThrownBy(() -> e.sn.update(tc.name(), Map.of("big", "x".repeat(5000))))
                        .isInstanceOf(InvalidArgumentException.class);
                assertThat(e.sn.stat(tc.name())).isEqualTo(before);
            }
            assertThatThrownBy(() -> e.sn.update("nope", Map.of()))
                    .isInstanceOf(NotFoundException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void removeAndReuseKeys(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            e.sn.prepare("committed-a", "", GC_ROOT);
            e.sn.commit("committed-1", "committed-a", GC_ROOT);
            e.sn.prepare("reuse-1", "committed-1", GC_ROOT);
            e.sn.remove("reuse-1");
            e.sn.view("reuse-1", "committed-1", GC_ROOT);
            e.sn.remove("reuse-1");
            e.sn.prepare("reuse-1", "", GC_ROOT);
            e.sn.remove("committed-1");
            e.sn.commit("committed-1", "reuse-1", GC_ROOT);
            assertThat(e.sn.stat("committed-1").kind()).isEqualTo(Kind.COMMITTED);
            assertThatThrownBy(() -> e.sn.remove("reuse-1")).isInstanceOf(NotFoundException.class);
            e.sn.cleanup();
            e.sn.cleanup();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void removeWithChildrenFails(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            String base = e.commitLayer("base", "", all());
            String inter = e.key("committed-inter");
            e.sn.prepare(e.key("intermediate"), base, GC_ROOT);
            e.sn.commit(inter, e.key("intermediate"), GC_ROOT);
            String top = e.key("toplayer");
            e.sn.prepare(top, inter, GC_ROOT);
            List<Info> before = e.sn.list();
            assertThatThrownBy(() -> e.sn.remove(inter)).isInstanceOf(FailedPreconditionException.class);
            assertThatThrownBy(() -> e.sn.remove(base)).isInstanceOf(FailedPreconditionException.class);
            assertThat(e.sn.list()).containsExactlyInAnyOrderElementsOf(before);
            e.sn.remove(top);
            e.sn.remove(inter);
            e.sn.remove(base);
            assertThat(e.sn.list()).isEmpty();
        }
    }
}
