package io.strata.metastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.AlreadyExistsException;
import io.strata.api.FailedPreconditionException;
import io.strata.api.Info;
import io.strata.api.InfoFilters;
import io.strata.api.InternalException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Kind;
import io.strata.api.NotFoundException;
import io.strata.api.UnavailableException;
import io.strata.api.Usage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The MetaStore contract: containerd's storage semantics (its metastore_test.go cases, ported)
 * plus what the Strata Javadoc adds. Runs on every implementation.
 */
abstract class MetaStoreContractTest {
    static final Instant START = Instant.parse("2024-05-06T07:08:09.123456789Z");
    static final Predicate<Info> ALL = i -> true;

    TickingClock clock;
    MetaStore store;

    /** A new, empty store that takes its times from {@code clock}. */
    abstract MetaStore open(TickingClock clock);

    @BeforeEach
    void setUp() {
        clock = new TickingClock(START);
        store = open(clock);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    // ---- helpers ----

    <T> T write(MetaStore.Work<WriteTx, T> work) {
        return store.write(work);
    }

    StoredInfo info(String key) {
        return store.read(tx -> tx.info(key));
    }

    SnapshotRef create(Kind kind, String key, String parent) {
        return write(tx -> tx.create(kind, key, parent, Map.of()));
    }

    long commit(String key, String name) {
        return write(tx -> tx.commit(key, name, Usage.ZERO, Map.of()));
    }

    List<String> keys() {
        List<String> keys = new ArrayList<>();
        store.read(tx -> {
            tx.walk(ALL, i -> keys.add(i.name()));
            return null;
        });
        return keys;
    }

    /**
     * containerd's basePopulate: committed-1 (no parent, size 1), committed-2 (on committed-1, size 2),
     * active-1 (none), active-2 (on committed-1), active-3 (on committed-2), view-1 (none), view-2 (on committed-2).
     */
    void populate() {
        write(tx -> {
            tx.create(Kind.ACTIVE, "committed-tmp-1", "", Map.of());
            tx.commit("committed-tmp-1", "committed-1", new Usage(1, 0), Map.of());
            tx.create(Kind.ACTIVE, "committed-tmp-2", "committed-1", Map.of());
            tx.commit("committed-tmp-2", "committed-2", new Usage(2, 0), Map.of());
            tx.create(Kind.ACTIVE, "active-1", "", Map.of());
            tx.create(Kind.ACTIVE, "active-2", "committed-1", Map.of());
            tx.create(Kind.ACTIVE, "active-3", "committed-2", Map.of());
            tx.create(Kind.VIEW, "view-1", "", Map.of());
            tx.create(Kind.VIEW, "view-2", "committed-2", Map.of());
            return null;
        });
    }

    static final Map<String, Object[]> BASE = Map.of(
            "committed-1", new Object[] {Kind.COMMITTED, ""},
            "committed-2", new Object[] {Kind.COMMITTED, "committed-1"},
            "active-1", new Object[] {Kind.ACTIVE, ""},
            "active-2", new Object[] {Kind.ACTIVE, "committed-1"},
            "active-3", new Object[] {Kind.ACTIVE, "committed-2"},
            "view-1", new Object[] {Kind.VIEW, ""},
            "view-2", new Object[] {Kind.VIEW, "committed-2"});

    // ---- info and walk ----

    @Test
    void infoOfEveryKind() {
        populate();
        BASE.forEach((key, expected) -> {
            Info info = info(key).info();
            assertThat(info.name()).isEqualTo(key);
            assertThat(info.kind()).as(key).isEqualTo(expected[0]);
            assertThat(info.parentOrEmpty()).as(key).isEqualTo(expected[1]);
            assertThat(info.labels()).isEmpty();
        });
        assertThat(info("committed-1").usage()).isEqualTo(new Usage(1, 0));
        assertThat(info("committed-2").usage()).isEqualTo(new Usage(2, 0));
        assertThat(info("active-1").usage()).isEqualTo(Usage.ZERO);
    }

    @Test
    void infoNotFound() {
        assertThatThrownBy(() -> info("active-not-exist")).isInstanceOf(NotFoundException.class)
                .hasMessage("snapshot active-not-exist: not found");
        populate();
        assertThatThrownBy(() -> info("active-not-exist")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> info("committed-tmp-1")).as("the key is gone after commit").isInstanceOf(NotFoundException.class);
    }

    @Test
    void walkVisitsEverySnapshotOnceInKeyOrder() {
        populate();
        List<Info> seen = new ArrayList<>();
        store.read(tx -> {
            tx.walk(ALL, seen::add);
            return null;
        });
        assertThat(seen).extracting(Info::name).containsExactly(
                "active-1", "active-2", "active-3", "committed-1", "committed-2", "view-1", "view-2");
        for (Info i : seen) {
            assertThat(i.kind()).isEqualTo(BASE.get(i.name())[0]);
            assertThat(i.parentOrEmpty()).isEqualTo(BASE.get(i.name())[1]);
        }
    }

    @Test
    void walkCallsBackOnlyForMatchingInfos() {
        populate();
        write(tx -> tx.update("view-2", Map.of("containerd.io/gc.root", "x")));
        List<String> seen = new ArrayList<>();
        store.read(tx -> {
            tx.walk(InfoFilters.parse("kind==committed", "labels.\"containerd.io/gc.root\""), i -> seen.add(i.name()));
            return null;
        });
        assertThat(seen).containsExactly("committed-1", "committed-2", "view-2");
    }

    @Test
    void walkCallbackMayUseTheTransaction() {
        populate();
        List<Long> ids = new ArrayList<>();
        store.read(tx -> {
            tx.walk(ALL, i -> ids.add(tx.info(i.name()).id()));
            return null;
        });
        assertThat(ids).hasSize(7).doesNotHaveDuplicates();
    }

    @Test
    void keyOrderIsUtf8ByteOrder() {
        // UTF-16 order would put U+1F600 (surrogates D83D..) before U+FFFD; byte order puts it after.
        for (String k : List.of("\uD83D\uDE00", "\uFFFD", "b", "a", "ab", "A", "é")) {
            create(Kind.ACTIVE, k, "");
        }
        assertThat(keys()).containsExactly("A", "a", "ab", "b", "é", "\uFFFD", "\uD83D\uDE00");
    }

    @Test
    void idMapHasEveryIdAndKey() {
        populate();
        Map<Long, String> expected = new HashMap<>();
        for (String k : BASE.keySet()) {
            expected.put(info(k).id(), k);
        }
        assertThat(store.read(ReadTx::idMap)).isEqualTo(expected);
        assertThat(store.read(ReadTx::idMap)).isUnmodifiable();
    }

    // ---- snapshot ----

    @Test
    void snapshotRefsOfActiveAndViewSnapshots() {
        long c1 = write(tx -> {
            tx.create(Kind.ACTIVE, "committed-tmp-1", "", Map.of());
            return tx.commit("committed-tmp-1", "committed-1", Usage.ZERO, Map.of());
        });
        Map<String, SnapshotRef> created = new HashMap<>();
        created.put("active-1", create(Kind.ACTIVE, "active-1", ""));
        created.put("active-2", create(Kind.ACTIVE, "active-2", "committed-1"));
        created.put("view-1", create(Kind.VIEW, "view-1", ""));
        created.put("view-2", create(Kind.VIEW, "view-2", "committed-1"));
        created.forEach((key, ref) -> {
            SnapshotRef read = store.read(tx -> tx.snapshot(key));
            assertThat(read).as(key).isEqualTo(ref);
        });
        assertThat(created.get("active-2").parentIds()).containsExactly(c1);
        assertThat(created.get("view-2").parentIds()).containsExactly(c1);
        assertThat(created.get("active-1").parentIds()).isEmpty();
        assertThat(created.get("view-1").kind()).isEqualTo(Kind.VIEW);
    }

    @Test
    void snapshotOfCommittedIsFailedPrecondition() {
        populate();
        assertThatThrownBy(() -> store.read(tx -> tx.snapshot("committed-1")))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessage("requested snapshot committed-1 not active or view");
    }

    @Test
    void snapshotNotFound() {
        assertThatThrownBy(() -> store.read(tx -> tx.snapshot("active-not-exist"))).isInstanceOf(NotFoundException.class);
        populate();
        assertThatThrownBy(() -> store.read(tx -> tx.snapshot("active-not-exist"))).isInstanceOf(NotFoundException.class);
    }

    @Test
    void parentIdsFollowTheChainNearestFirst() {
        // containerd's testParents: for each snapshot, walk up and compare ids level by level.
        populate();
        Map<String, Integer> depth = Map.of("committed-1", 0, "committed-2", 1, "active-1", 0, "active-2", 1,
                "active-3", 2, "view-1", 0, "view-2", 2);
        depth.forEach((key, parents) -> {
            StoredInfo si = info(key);
            List<Long> chain;
            if (si.info().kind() == Kind.COMMITTED) {
                SnapshotRef view = create(Kind.VIEW, "test-" + key, key);
                assertThat(view.parentIds()).hasSize(parents + 1);
                assertThat(view.parentIds().getFirst()).isEqualTo(si.id());
                chain = view.parentIds().subList(1, view.parentIds().size());
            } else {
                SnapshotRef ref = store.read(tx -> tx.snapshot(key));
                assertThat(ref.id()).isEqualTo(si.id());
                chain = ref.parentIds();
            }
            assertThat(chain).hasSize(parents);
            String name = si.info().parentOrEmpty();
            for (long id : chain) {
                StoredInfo p = info(name);
                assertThat(id).as("parent of %s", key).isEqualTo(p.id());
                name = p.info().parentOrEmpty();
            }
            assertThat(name).isEmpty();
        });
    }

    @Test
    void parentChain130Deep() {
        List<Long> ids = new ArrayList<>();
        write(tx -> {
            String parent = "";
            for (int i = 0; i < 130; i++) {
                SnapshotRef ref = tx.create(Kind.ACTIVE, "tmp", parent, Map.of());
                assertThat(ref.parentIds()).hasSize(i);
                tx.commit("tmp", "layer-" + i, Usage.ZERO, Map.of());
                ids.add(ref.id());
                parent = "layer-" + i;
            }
            return null;
        });
        SnapshotRef top = create(Kind.ACTIVE, "top", "layer-129");
        List<Long> nearestFirst = new ArrayList<>(ids);
        Collections.reverse(nearestFirst);
        assertThat(top.parentIds()).containsExactlyElementsOf(nearestFirst);
        assertThat(store.read(tx -> tx.snapshot("top")).parentIds()).containsExactlyElementsOf(nearestFirst);
    }

    // ---- create ----

    @Test
    void createGivesUniqueIdsAndKinds() {
        SnapshotRef a1 = create(Kind.ACTIVE, "active-1", "");
        SnapshotRef v1 = create(Kind.VIEW, "view-1", "");
        assertThat(a1.kind()).isEqualTo(Kind.ACTIVE);
        assertThat(v1.kind()).isEqualTo(Kind.VIEW);
        assertThat(v1.id()).isNotEqualTo(a1.id());
        long committed = commit("active-1", "committed-1");
        assertThat(committed).as("commit keeps the id").isEqualTo(a1.id());
        SnapshotRef a3 = create(Kind.ACTIVE, "active-3", "committed-1");
        SnapshotRef v2 = create(Kind.VIEW, "view-2", "committed-1");
        assertThat(Set.of(a1.id(), v1.id(), a3.id(), v2.id())).hasSize(4);
        assertThat(a3.parentIds()).containsExactly(committed);
        assertThat(v2.parentIds()).containsExactly(committed);
    }

    @Test
    void createStoresLabelsAndTimes() {
        Instant at = clock.peek();
        write(tx -> tx.create(Kind.ACTIVE, "a", "", Map.of("k", "v")));
        Info info = info("a").info();
        assertThat(info.labels()).isEqualTo(Map.of("k", "v"));
        assertThat(info.created()).isEqualTo(at).isEqualTo(info.updated());
    }

    @Test
    void createCommittedIsInvalidArgument() {
        assertThatThrownBy(() -> create(Kind.COMMITTED, "c", "")).isInstanceOf(InvalidArgumentException.class);
        assertThat(keys()).isEmpty();
    }

    @Test
    void createOnTakenKeyIsAlreadyExists() {
        populate();
        assertThatThrownBy(() -> create(Kind.ACTIVE, "active-1", "")).isInstanceOf(AlreadyExistsException.class)
                .hasMessage("snapshot active-1: already exists");
        assertThatThrownBy(() -> create(Kind.VIEW, "committed-1", "")).isInstanceOf(AlreadyExistsException.class);
        assertThat(info("active-1").info().kind()).isEqualTo(Kind.ACTIVE);
    }

    @Test
    void createOnMissingParentIsNotFound() {
        assertThatThrownBy(() -> create(Kind.ACTIVE, "active-1", "does-not-exist")).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("does-not-exist");
        assertThat(keys()).isEmpty();
    }

    @Test
    void createOnActiveOrViewParentIsFailedPrecondition() {
        populate();
        assertThatThrownBy(() -> create(Kind.ACTIVE, "active-new", "active-1"))
                .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("not committed");
        assertThatThrownBy(() -> create(Kind.VIEW, "view-new", "view-1"))
                .isInstanceOf(FailedPreconditionException.class);
        assertThat(keys()).doesNotContain("active-new", "view-new");
    }

    @Test
    void createRefusesBadKeysAndLabels() {
        assertThatThrownBy(() -> create(Kind.ACTIVE, "", "")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> create(Kind.ACTIVE, "a\0b", "")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> create(Kind.ACTIVE, "x".repeat(4097), "")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> create(Kind.ACTIVE, "lone\uD800", "")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> write(tx -> tx.create(Kind.ACTIVE, "k", "", Map.of("big", "v".repeat(4094)))))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> write(tx -> tx.create(Kind.ACTIVE, "k", "", Map.of("", "v"))))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> write(tx -> tx.create(Kind.ACTIVE, "k", "", Map.of("k", "\uDC00"))))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(keys()).isEmpty();
        write(tx -> tx.create(Kind.ACTIVE, "k", "", Map.of("big", "v".repeat(4093))));
        assertThat(info("k").info().labels().get("big")).hasSize(4093);
    }

    // ---- commit ----

    @Test
    void commitTurnsActiveIntoCommitted() {
        SnapshotRef base = create(Kind.ACTIVE, "b", "");
        commit("b", "base");
        SnapshotRef a = write(tx -> tx.create(Kind.ACTIVE, "a", "base", Map.of("old", "1")));
        Instant at = clock.peek();
        long id = write(tx -> tx.commit("a", "layer", new Usage(4096, 3), Map.of("new", "2")));
        assertThat(id).isEqualTo(a.id());
        StoredInfo s = info("layer");
        assertThat(s.id()).isEqualTo(a.id());
        assertThat(s.usage()).isEqualTo(new Usage(4096, 3));
        assertThat(s.info().kind()).isEqualTo(Kind.COMMITTED);
        assertThat(s.info().parentOrEmpty()).isEqualTo("base");
        assertThat(s.info().labels()).as("labels are replaced, not inherited").isEqualTo(Map.of("new", "2"));
        assertThat(s.info().created()).isEqualTo(at).isEqualTo(s.info().updated());
        assertThatThrownBy(() -> info("a")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> store.read(tx -> tx.snapshot("a"))).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> store.read(tx -> tx.snapshot("layer"))).isInstanceOf(FailedPreconditionException.class);
        assertThat(create(Kind.VIEW, "v", "layer").parentIds()).containsExactly(a.id(), base.id());
    }

    @Test
    void commitOfMissingKeyIsNotFound() {
        assertThatThrownBy(() -> commit("nope", "name")).isInstanceOf(NotFoundException.class);
        assertThat(keys()).isEmpty();
    }

    @Test
    void commitOntoTakenNameIsAlreadyExists() {
        populate();
        assertThatThrownBy(() -> commit("active-1", "committed-1")).isInstanceOf(AlreadyExistsException.class)
                .hasMessage("committed snapshot committed-1: already exists");
        assertThatThrownBy(() -> commit("active-1", "active-2")).isInstanceOf(AlreadyExistsException.class);
        assertThat(info("active-1").info().kind()).isEqualTo(Kind.ACTIVE);
    }

    @Test
    void commitOfCommittedOrViewIsFailedPrecondition() {
        populate();
        assertThatThrownBy(() -> commit("committed-1", "committed-3"))
                .isInstanceOf(FailedPreconditionException.class).hasMessage("snapshot \"committed-1\" is not active");
        assertThatThrownBy(() -> commit("view-1", "committed-3"))
                .isInstanceOf(FailedPreconditionException.class).hasMessage("snapshot \"view-1\" is not active");
        assertThat(keys()).doesNotContain("committed-3").contains("view-1");
    }

    @Test
    void commitRefusesBadNamesAndLabels() {
        create(Kind.ACTIVE, "a", "");
        assertThatThrownBy(() -> commit("a", "")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> write(tx -> tx.commit("a", "n", Usage.ZERO, Map.of("k", "v".repeat(5000)))))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(info("a").info().kind()).isEqualTo(Kind.ACTIVE);
    }

    // ---- update ----

    @Test
    void updateWithoutPathsReplacesAllLabels() {
        Instant created = clock.peek();
        write(tx -> tx.create(Kind.ACTIVE, "a", "", Map.of("x", "1", "y", "2")));
        Instant at = clock.peek();
        Info updated = write(tx -> tx.update("a", Map.of("z", "3")));
        assertThat(updated.labels()).isEqualTo(Map.of("z", "3"));
        assertThat(updated.updated()).isEqualTo(at);
        assertThat(updated.created()).isEqualTo(created);
        assertThat(info("a").info()).isEqualTo(updated);
        write(tx -> tx.update("a", Map.of(), "labels"));
        assertThat(info("a").info().labels()).isEmpty();
    }

    @Test
    void updateOfOneLabelSetsOrDeletesIt() {
        write(tx -> tx.create(Kind.ACTIVE, "a", "", Map.of("x", "1", "y", "2")));
        write(tx -> tx.update("a", Map.of("x", "10", "z", "ignored"), "labels.x"));
        assertThat(info("a").info().labels()).isEqualTo(Map.of("x", "10", "y", "2"));
        write(tx -> tx.update("a", Map.of(), "labels.y"));
        assertThat(info("a").info().labels()).isEqualTo(Map.of("x", "10"));
        write(tx -> tx.update("a", Map.of("a.b", "dotted", "w", "1"), "labels.a.b", "labels.w"));
        assertThat(info("a").info().labels()).isEqualTo(Map.of("x", "10", "a.b", "dotted", "w", "1"));
    }

    @Test
    void updateChangesOnlyLabelsAndUpdated() {
        populate();
        Info before = info("active-2").info();
        Info after = write(tx -> tx.update("active-2", Map.of("l", "v")));
        assertThat(after.labels()).isEqualTo(Map.of("l", "v"));
        assertThat(after.kind()).isEqualTo(Kind.ACTIVE);
        assertThat(after.parentOrEmpty()).isEqualTo("committed-1");
        assertThat(after.created()).isEqualTo(before.created());
        assertThat(after.updated()).isAfter(before.updated());
        assertThat(info("active-2").info()).isEqualTo(after);
    }

    @Test
    void updateOfOtherFieldsIsInvalidArgument() {
        write(tx -> tx.create(Kind.ACTIVE, "a", "", Map.of("x", "1")));
        for (String path : List.of("name", "kind", "parent", "created", "labelsx", "")) {
            assertThatThrownBy(() -> write(tx -> tx.update("a", Map.of(), "labels.x", path)))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessage("cannot update \"" + path + "\" field on snapshot \"a\"");
        }
        assertThat(info("a").info().labels()).as("nothing changed").isEqualTo(Map.of("x", "1"));
    }

    @Test
    void updateOfMissingSnapshotIsNotFound() {
        assertThatThrownBy(() -> write(tx -> tx.update("nope", Map.of())))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void updateRefusesOversizedLabels() {
        create(Kind.ACTIVE, "a", "");
        assertThatThrownBy(() -> write(tx -> tx.update("a", Map.of("k", "v".repeat(5000)))))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(info("a").info().labels()).isEmpty();
    }

    // ---- remove ----

    @Test
    void removeReturnsIdAndKind() {
        SnapshotRef a1 = create(Kind.ACTIVE, "active-1", "");
        long c1 = commit("active-1", "committed-1");
        SnapshotRef v1 = create(Kind.VIEW, "view-1", "committed-1");
        SnapshotRef v2 = create(Kind.VIEW, "view-2", "committed-1");
        assertThatThrownBy(() -> write(tx -> tx.remove("active-1"))).isInstanceOf(NotFoundException.class);
        WriteTx.Removed r2 = write(tx -> tx.remove("view-2"));
        WriteTx.Removed r1 = write(tx -> tx.remove("view-1"));
        WriteTx.Removed r0 = write(tx -> tx.remove("committed-1"));
        assertThat(r2).isEqualTo(new WriteTx.Removed(v2.id(), Kind.VIEW));
        assertThat(r1).isEqualTo(new WriteTx.Removed(v1.id(), Kind.VIEW));
        assertThat(r0).isEqualTo(new WriteTx.Removed(c1, Kind.COMMITTED));
        assertThat(c1).isEqualTo(a1.id());
        assertThat(keys()).isEmpty();
        assertThat(store.read(ReadTx::idMap)).isEmpty();
    }

    @Test
    void removeWithChildrenIsFailedPrecondition() {
        populate();
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> write(tx -> tx.remove("committed-1")))
                    .isInstanceOf(FailedPreconditionException.class).hasMessage("cannot remove snapshot with child");
        }
        write(tx -> tx.remove("active-2"));
        assertThatThrownBy(() -> write(tx -> tx.remove("committed-1"))).isInstanceOf(FailedPreconditionException.class);
        write(tx -> {
            tx.remove("active-3");
            tx.remove("view-2");
            tx.remove("committed-2");
            return tx.remove("committed-1");
        });
        assertThat(keys()).containsExactly("active-1", "view-1");
    }

    @Test
    void removeOfMissingKeyIsNotFound() {
        assertThatThrownBy(() -> write(tx -> tx.remove("does-not-exist"))).isInstanceOf(NotFoundException.class)
                .hasMessage("snapshot does-not-exist: not found");
    }

    @Test
    void removeDropsTheLabelsToo() {
        write(tx -> tx.create(Kind.ACTIVE, "a", "", Map.of("k", "v")));
        write(tx -> tx.remove("a"));
        write(tx -> tx.create(Kind.ACTIVE, "a", "", Map.of()));
        assertThat(info("a").info().labels()).isEmpty();
    }

    // ---- ids and times ----

    @Test
    void idsAreNeverReusedAfterRemove() {
        long a = create(Kind.ACTIVE, "a", "").id();
        long b = create(Kind.ACTIVE, "b", "").id();
        write(tx -> tx.remove("b"));
        long c = create(Kind.ACTIVE, "c", "").id();
        write(tx -> tx.remove("a"));
        write(tx -> tx.remove("c"));
        long d = create(Kind.ACTIVE, "a", "").id();
        assertThat(List.of(a, b, c, d)).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void timesRoundTripWithNanosecondPrecision() {
        Instant at = clock.peek();
        assertThat(at.getNano() % 1000).isNotZero();
        create(Kind.ACTIVE, "a", "");
        Info info = info("a").info();
        assertThat(info.created()).isEqualTo(at);
        assertThat(info.updated()).isEqualTo(at);
        List<Info> walked = new ArrayList<>();
        store.read(tx -> {
            tx.walk(ALL, walked::add);
            return null;
        });
        assertThat(walked).containsExactly(info);
    }

    @Test
    void timesBeforeTheEpochRoundTrip() {
        MetaStore old = open(new TickingClock(Instant.parse("1969-12-31T23:59:59.999999999Z")));
        try {
            old.write(tx -> tx.create(Kind.ACTIVE, "a", "", Map.of()));
            assertThat(old.read(tx -> tx.info("a")).info().created()).isEqualTo(Instant.parse("1969-12-31T23:59:59.999999999Z"));
        } finally {
            old.close();
        }
    }

    // ---- labels ----

    @Test
    void labelEdgeCases() {
        Map<String, String> labels = Map.of(
                "containerd.io/gc.ref.snapshot.overlayfs", "sha256:abc",
                "ключ", "значение 😀 牛",
                "eq", "a=b,c=d",
                "empty", "",
                "spaces", "  lead and trail  ",
                "newline", "line1\nline2",
                "nul", "a\0b");
        write(tx -> tx.create(Kind.ACTIVE, "a", "", labels));
        write(tx -> tx.create(Kind.ACTIVE, "none", "", Map.of()));
        assertThat(info("a").info().labels()).isEqualTo(labels);
        assertThat(info("none").info().labels()).isEmpty();
        List<Info> walked = new ArrayList<>();
        store.read(tx -> {
            tx.walk(ALL, walked::add);
            return null;
        });
        assertThat(walked.getFirst().labels()).isEqualTo(labels);
        assertThat(walked.get(1).labels()).isEmpty();
    }

    // ---- transactions ----

    @Test
    void workThatThrowsRollsBackAndRunsUndoNewestFirst() {
        create(Kind.ACTIVE, "keep", "");
        List<String> undone = new ArrayList<>();
        NotFoundException thrown = new NotFoundException("boom");
        assertThatThrownBy(() -> write(tx -> {
            tx.create(Kind.ACTIVE, "a", "", Map.of());
            tx.onRollback(() -> undone.add("first"));
            tx.remove("keep");
            tx.onRollback(() -> undone.add("second"));
            throw thrown;
        })).isSameAs(thrown);
        assertThat(undone).containsExactly("second", "first");
        assertThat(keys()).containsExactly("keep");
    }

    @Test
    void failingOperationInsideWorkRollsBackEarlierChanges() {
        List<String> undone = new ArrayList<>();
        assertThatThrownBy(() -> write(tx -> {
            tx.create(Kind.ACTIVE, "a", "", Map.of());
            tx.onRollback(() -> undone.add("a"));
            return tx.create(Kind.ACTIVE, "a", "", Map.of());
        })).isInstanceOf(AlreadyExistsException.class);
        assertThat(undone).containsExactly("a");
        assertThat(keys()).isEmpty();
    }

    @Test
    void undoActionsDoNotRunOnSuccess() {
        List<String> undone = new ArrayList<>();
        write(tx -> {
            tx.create(Kind.ACTIVE, "a", "", Map.of());
            tx.onRollback(() -> undone.add("a"));
            return null;
        });
        assertThat(undone).isEmpty();
        assertThat(keys()).containsExactly("a");
    }

    @Test
    void failingUndoActionIsLoggedAndTheOthersStillRun() {
        List<String> undone = new ArrayList<>();
        IllegalStateException cause = new IllegalStateException("work failed");
        assertThatThrownBy(() -> write(tx -> {
            tx.onRollback(() -> undone.add("first"));
            tx.onRollback(() -> {
                throw new IllegalArgumentException("undo failed");
            });
            throw cause;
        })).isSameAs(cause);
        assertThat(undone).containsExactly("first");
    }

    @Test
    void ioExceptionFromWorkBecomesInternal() {
        IOException io = new IOException("disk on fire");
        assertThatThrownBy(() -> write(tx -> {
            tx.create(Kind.ACTIVE, "a", "", Map.of());
            throw io;
        })).isInstanceOf(InternalException.class).hasCause(io);
        assertThatThrownBy(() -> store.read(tx -> {
            throw new UncheckedIOException(io);
        })).isInstanceOf(InternalException.class).hasMessageContaining("disk on fire");
        assertThatThrownBy(() -> store.read(tx -> {
            throw io;
        })).isInstanceOf(InternalException.class).hasCause(io);
        assertThat(keys()).isEmpty();
    }

    @Test
    void transactionObjectsDieWithTheirTransaction() {
        WriteTx escapedWrite = write(tx -> tx);
        ReadTx escapedRead = store.read(tx -> tx);
        assertThatThrownBy(() -> escapedWrite.create(Kind.ACTIVE, "a", "", Map.of())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> escapedWrite.onRollback(() -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> escapedRead.info("a")).isInstanceOf(IllegalStateException.class);
        assertThat(keys()).isEmpty();
    }

    @Test
    void readTransactionIsNotAWriteTransaction() {
        boolean writable = store.read(tx -> tx instanceof WriteTx);
        assertThat(writable).isFalse();
    }

    @Test
    void writeInsideWriteIsRefused() {
        assertThatThrownBy(() -> write(tx -> store.write(inner -> null))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @Timeout(30)
    void readsDoNotWaitForAWriteAndSeeTheCommittedState() throws Exception {
        create(Kind.ACTIVE, "before", "");
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> writer = pool.submit(() -> write(tx -> {
                tx.create(Kind.ACTIVE, "during", "", Map.of());
                inWrite.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return null;
            }));
            assertThat(inWrite.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(keys()).containsExactly("before");
            release.countDown();
            writer.get(10, TimeUnit.SECONDS);
            assertThat(keys()).containsExactly("before", "during");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(120)
    void concurrentWritersLoseNothing() throws Exception {
        int threads = 8;
        int rounds = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    List<Long> ids = new ArrayList<>();
                    for (int r = 0; r < rounds; r++) {
                        String key = "t" + thread + "-" + r;
                        String round = Integer.toString(r);
                        long id = store.write(tx -> {
                            tx.create(Kind.ACTIVE, key, "", Map.of("t", Integer.toString(thread)));
                            return tx.commit(key, key + "-c", Usage.ZERO, Map.of("r", round));
                        });
                        ids.add(id);
                        if (r % 2 == 1) {
                            store.write(tx -> tx.remove(key + "-c"));
                            assertThatThrownBy(() -> info(key + "-c")).isInstanceOf(NotFoundException.class);
                        } else {
                            assertThat(info(key + "-c").id()).isEqualTo(id);
                        }
                    }
                    return ids;
                }));
            }
            Set<Long> all = new HashSet<>();
            for (Future<List<Long>> f : results) {
                for (long id : f.get(100, TimeUnit.SECONDS)) {
                    assertThat(all.add(id)).as("id %d handed out twice", id).isTrue();
                }
            }
            assertThat(all).hasSize(threads * rounds);
            Map<Long, String> ids = store.read(ReadTx::idMap);
            assertThat(ids).hasSize(threads * rounds / 2);
            for (int t = 0; t < threads; t++) {
                for (int r = 0; r < rounds; r += 2) {
                    StoredInfo s = info("t" + t + "-" + r + "-c");
                    assertThat(s.info().labels()).isEqualTo(Map.of("r", "" + r));
                    assertThat(ids.get(s.id())).isEqualTo("t" + t + "-" + r + "-c");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- close ----

    @Test
    void everyCallAfterCloseIsUnavailable() {
        populate();
        store.close();
        store.close();
        assertThatThrownBy(() -> store.read(tx -> tx.info("active-1"))).isInstanceOf(UnavailableException.class)
                .hasMessage("metastore is closed");
        assertThatThrownBy(() -> store.write(tx -> null)).isInstanceOf(UnavailableException.class);
        assertThatThrownBy(() -> store.read(ReadTx::idMap)).isInstanceOf(UnavailableException.class);
    }
}
