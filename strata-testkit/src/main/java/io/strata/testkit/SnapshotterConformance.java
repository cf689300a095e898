package io.strata.testkit;

import static io.strata.testkit.Tree.file;
import static io.strata.testkit.Tree.link;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.AlreadyExistsException;
import io.strata.api.FailedPreconditionException;
import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Kind;
import io.strata.api.NotFoundException;
import io.strata.api.SnapshotOption;
import io.strata.api.Usage;
import io.strata.fs.Mounter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance suite every snapshotter must pass, in process and through the daemon: the cases
 * of containerd's {@code snapshots/testsuite} plus Strata's own (bad input, keys, usage,
 * concurrency, persistence). Subclass it and return the fixtures to run from {@link #fixtures()}. The cases are spread over
 * {@link LifecycleConformance}, {@link ContentConformance} and this class (listing, rebase, keys, bad
 * input, usage, persistence, concurrency).
 *
 * <p>Tests mount for real and must run as root. Keys are, as in containerd's suite, absolute paths
 * under the test's work directory, so they contain '/'.
 */
public abstract class SnapshotterConformance extends ContentConformance {

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void walkFilters(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            SnapshotOption opt = SnapshotOption.labels(Map.of("containerd.io/gc.root", "check-walk"));
            e.sn.prepare("a-np", "", opt);
            e.sn.prepare("p-tmp", "", opt);
            e.sn.commit("p", "p-tmp", opt);
            e.sn.prepare("a", "p", opt);
            e.sn.view("v", "p", opt);
            e.sn.prepare("p-wl-tmp", "", opt);
            e.sn.commit("p-wl", "p-wl-tmp", SnapshotOption.labels(Map.of("l", "1", "containerd.io/gc.root", "check-walk")));
            e.sn.prepare("a-wl", "p-wl", SnapshotOption.labels(Map.of("l", "2", "containerd.io/gc.root", "check-walk")));
            e.sn.view("v-wl", "p-wl", SnapshotOption.labels(Map.of("l", "3", "containerd.io/gc.root", "check-walk")));
            e.sn.prepare("a-np-wl", "", SnapshotOption.labels(Map.of("l", "2", "containerd.io/gc.root", "check-walk", "x.y/z", "dotted")));

            record Case(List<String> matches, String... filters) {
            }
            List<Case> cases = List.of(
                    new Case(List.of("a-np", "p", "a", "v", "p-wl", "a-wl", "v-wl", "a-np-wl"), "labels.\"containerd.io/gc.root\"==check-walk"),
                    new Case(List.of("a-np", "a", "a-wl", "a-np-wl"), "kind==active,labels.\"containerd.io/gc.root\"==check-walk"),
                    new Case(List.of("v", "v-wl"), "kind==view,labels.\"containerd.io/gc.root\"==check-walk"),
                    new Case(List.of("p", "p-wl"), "kind==committed,labels.\"containerd.io/gc.root\"==check-walk"),
                    new Case(List.of("p", "a-np-wl"), "name==p", "name==a-np-wl"),
                    new Case(List.of("a-wl"), "name==a-wl,labels.l"),
                    new Case(List.of("a", "v"), "parent==p"),
                    new Case(List.of("a", "v", "a-wl", "v-wl"), "parent!=\"\",labels.\"containerd.io/gc.root\"==check-walk"),
                    new Case(List.of("p-wl", "a-wl", "v-wl", "a-np-wl"), "labels.l"),
                    new Case(List.of("a-wl", "a-np-wl"), "labels.l==2"),
                    new Case(List.of("a-wl", "a-np-wl"), "labels.l==\"2\""),
                    new Case(List.of("a-np", "a", "a-wl", "a-np-wl"), "name~=^a"),
                    new Case(List.of("p-wl", "a-wl", "v-wl", "a-np-wl"), "name~=\"-wl$\""),
                    new Case(List.of("a-np", "a", "v", "a-wl", "v-wl", "a-np-wl"), "kind!=committed"),
                    new Case(List.of("a-np-wl"), "labels.\"x.y/z\"==dotted"),
                    new Case(List.of("a-np-wl"), "labels.\"x.y/z\"~=/^dot/"),
                    new Case(List.of("a-np", "p", "a", "v", "p-wl", "a-wl", "v-wl", "a-np-wl")),
                    new Case(List.of(), "name==nothing-is-called-this"));
            for (Case c : cases) {
                assertThat(e.sn.list(c.filters()).stream().map(Info::name))
                        .as("walk %s", List.of(c.filters()))
                        .containsExactlyInAnyOrderElementsOf(c.matches());
            }
            for (String bad : List.of("name==", "labels.x.y/z==dotted", "kind===active", "labels.", "name~=\"[\"", ",", "name==a,", "\"unterminated")) {
                assertThatThrownBy(() -> e.sn.list(bad)).as("filter %s", bad).isInstanceOf(InvalidArgumentException.class);
            }
        }
    }

    // ---- containerd 2.2's rebase (RebaseCases) --------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void rebaseStacksAnActiveSnapshotOntoItsParentAtCommit(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            RebaseCases.stacksAtCommit(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void rebaseRefusesWhatContainerdRefuses(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            RebaseCases.refusals(e);
        }
    }

    // ---- Strata's own -----------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void keysWithSlashesAndOtherCharacters(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            List<String> keys = List.of("a/b/c", "/abs/path", "with space", "colon:and=equals,comma", "..", ".", "unicode-快照-✓",
                    "sha256:" + "ab".repeat(32), "quote\"and'apostrophe", "new\nline", "x".repeat(4000));
            String parent = "";
            for (String k : keys) {
                e.sn.prepare(k + "-active", parent, GC_ROOT);
                e.sn.commit(k, k + "-active", GC_ROOT);
                assertThat(e.sn.stat(k).parentOrEmpty()).isEqualTo(parent);
                parent = k;
            }
            assertThat(e.sn.list().stream().map(Info::name)).containsExactlyInAnyOrderElementsOf(keys);
            assertThat(e.sn.list("name==\"with space\"")).extracting(Info::name).containsExactly("with space");
            assertThat(e.sn.list("parent==\"a/b/c\"")).extracting(Info::name).containsExactly("/abs/path");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void badInputChangesNothing(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            String base = e.commitLayer("base", "", file("/f", "x", 0644));
            String active = e.key("active");
            e.sn.prepare(active, base, GC_ROOT);
            String view = e.key("view");
            e.sn.view(view, base, GC_ROOT);
            List<Info> before = e.sn.list();

            assertThatThrownBy(() -> e.sn.prepare("", "")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("empty");
            assertThatThrownBy(() -> e.sn.view("", base)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> e.sn.prepare("k".repeat(4097), "")).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("4096");
            assertThatThrownBy(() -> e.sn.prepare("nul\0key", "")).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> e.sn.prepare("big-label", "", SnapshotOption.labels(Map.of("k", "v".repeat(4096)))))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("4096");
            assertThatThrownBy(() -> e.sn.commit(e.key("c"), view)).isInstanceOf(FailedPreconditionException.class);
            assertThatThrownBy(() -> e.sn.commit(e.key("c"), base)).isInstanceOf(FailedPreconditionException.class);
            assertThatThrownBy(() -> e.sn.commit(e.key("c"), e.key("missing"))).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> e.sn.commit(base, active)).isInstanceOf(AlreadyExistsException.class);
            assertThatThrownBy(() -> e.sn.commit(view, active)).isInstanceOf(AlreadyExistsException.class);
            assertThatThrownBy(() -> e.sn.commit("", active)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> e.sn.commit(e.key("c"), active, SnapshotOption.labels(Map.of("k".repeat(4097), ""))))
                    .isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> e.sn.remove(base)).isInstanceOf(FailedPreconditionException.class);
            assertThatThrownBy(() -> e.sn.remove(e.key("missing"))).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> e.sn.stat(e.key("missing"))).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> e.sn.usage(e.key("missing"))).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> e.sn.mounts(e.key("missing"))).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> e.sn.mounts(base)).isInstanceOf(FailedPreconditionException.class);

            assertThat(e.sn.list()).containsExactlyInAnyOrderElementsOf(before);
            e.sn.commit(e.key("c"), active);
            assertThat(e.sn.stat(e.key("c")).parent()).contains(base);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void usageOfActiveAndCommitted(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            Path p = e.prepareMounted("u", "");
            Usage empty = e.sn.usage(p.toString());
            assertThat(empty.inodes()).isGreaterThanOrEqualTo(1);
            byte[] mib = new byte[1 << 20];
            new java.util.Random(7).nextBytes(mib);
            Files.write(p.resolve("a"), mib);
            Files.createDirectory(p.resolve("d"));
            Files.write(p.resolve("d/b"), mib);
            Files.createLink(p.resolve("d/b-link"), p.resolve("d/b"));
            Usage active = e.sn.usage(p.toString());
            assertThat(active.size()).isGreaterThanOrEqualTo(empty.size() + 2L * mib.length);
            assertThat(active.size()).isLessThan(empty.size() + 3L * mib.length);
            assertThat(active.inodes()).isEqualTo(empty.inodes() + 3);
            // Committing while mounted is allowed; the usage is measured at that moment.
            String c = e.key("committed");
            e.sn.commit(c, p.toString(), GC_ROOT);
            Mounter.unmountAll(p);
            assertThat(e.sn.usage(c)).isEqualTo(active);

            Path child = e.prepareMounted("child", c);
            Usage childEmpty = e.sn.usage(child.toString());
            Files.write(child.resolve("c"), mib);
            Usage childUsage = e.sn.usage(child.toString());
            assertThat(childUsage.size()).isGreaterThanOrEqualTo(childEmpty.size() + mib.length);
            assertThat(childUsage.inodes()).isEqualTo(childEmpty.inodes() + 1);
            Mounter.unmountAll(child);
            assertThat(e.sn.usage(c)).as("committed usage is stored, not measured").isEqualTo(active);
            e.sn.view(e.key("v"), c);
            assertThat(e.sn.usage(e.key("v"))).isEqualTo(Usage.ZERO);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void commitWhileMountedKeepsContent(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            Path p = e.prepareMounted("live", "");
            Files.writeString(p.resolve("written-before-commit"), "kept");
            String c = e.key("c");
            e.sn.commit(c, p.toString());
            Mounter.unmountAll(p);
            Path v = Files.createDirectory(e.work.resolve("v"));
            Mounter.mountAll(e.sn.view(e.key("view"), c), v);
            try {
                assertThat(Files.readString(v.resolve("written-before-commit"))).isEqualTo("kept");
            } finally {
                Mounter.unmountAll(v);
            }
            assertThat(e.sn.stat(c).labels()).as("commit does not inherit labels").isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void persistsAcrossReopen(SnapshotterFixture f) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(f.durable(), "metastore is not durable");
        try (Env e = env(f)) {
            String c = e.commitLayer("c", "", file("/kept", "yes", 0600));
            e.sn.prepare(e.key("a"), c, SnapshotOption.labels(Map.of("k", "v")));
            List<Info> before = e.sn.list();
            Usage usage = e.sn.usage(c);
            e.sn.close();
            e.sn = f.reopen(e.root);
            assertThat(e.sn.list()).containsExactlyInAnyOrderElementsOf(before);
            assertThat(e.sn.usage(c)).isEqualTo(usage);
            Path mp = Files.createDirectory(e.work.resolve("m"));
            Mounter.mountAll(e.sn.mounts(e.key("a")), mp);
            try {
                assertThat(Files.readString(mp.resolve("kept"))).isEqualTo("yes");
            } finally {
                Mounter.unmountAll(mp);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void concurrentPrepareCommitRemove(SnapshotterFixture f) throws Exception {
        try (Env e = env(f)) {
            e.sn.prepare("shared-a", "", GC_ROOT);
            e.sn.commit("shared", "shared-a", GC_ROOT);
            int threads = 8;
            int rounds = 25;
            Set<String> expected = ConcurrentHashMap.newKeySet();
            expected.add("shared");
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int tid = t;
                    futures.add(pool.submit(() -> {
                        for (int r = 0; r < rounds; r++) {
                            String k = "t" + tid + "-r" + r;
                            e.sn.prepare(k + "-a", "shared", GC_ROOT);
                            e.sn.commit(k, k + "-a", GC_ROOT);
                            e.sn.view(k + "-v", k);
                            if (r % 3 == 0) {
                                e.sn.remove(k + "-v");
                                e.sn.remove(k);
                            } else {
                                expected.add(k);
                                expected.add(k + "-v");
                            }
                            // Everyone races for the same name: exactly one wins each round.
                            String raced = "race-" + r;
                            try {
                                e.sn.prepare(raced, "shared");
                                expected.add(raced);
                            } catch (AlreadyExistsException lost) {
                                // another thread won
                            }
                            e.sn.list("parent==shared");
                        }
                        return null;
                    }));
                }
                for (Future<?> fu : futures) {
                    fu.get();
                }
            }
            List<String> names = e.sn.list().stream().map(Info::name).toList();
            assertThat(new HashSet<>(names)).hasSameSizeAs(names);
            assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
            e.sn.cleanup();
            for (int r = 0; r < rounds; r++) {
                assertThat(e.sn.stat("race-" + r).kind()).isEqualTo(Kind.ACTIVE);
            }
        }
    }
}
