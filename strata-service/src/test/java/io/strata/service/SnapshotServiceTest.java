package io.strata.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.AlreadyExistsException;
import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Kind;
import io.strata.api.NotFoundException;
import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import io.strata.events.Event;
import io.strata.events.Publisher;
import io.strata.testkit.Tree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Namespaces in process: isolation, the legacy keys of stores made before it, and events. */
class SnapshotServiceTest {
    private Path root;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory("strata-service");
    }

    @AfterEach
    void tearDown() throws Exception {
        Tree.deleteTree(root);
    }

    private static List<String> names(Snapshotter sn) {
        List<String> out = new ArrayList<>();
        sn.walk(i -> out.add(i.name()));
        return out.stream().sorted().toList();
    }

    @Test
    void eachNamespaceHasItsOwnKeys() {
        try (Snapshotter shared = Backends.open("native", root)) {
            SnapshotService service = new SnapshotService(n -> n.equals("native") ? shared : null, Publisher.NONE);
            Snapshotter a = service.snapshotter("team-a", "native");
            Snapshotter b = service.snapshotter("team-b", "native");
            a.prepare("k1", "");
            assertThat(names(b)).isEmpty();
            assertThatThrownBy(() -> b.stat("k1")).isInstanceOf(NotFoundException.class);
            b.prepare("k1", ""); // the same name in another namespace is another snapshot
            a.commit("base", "k1");
            assertThat(a.stat("base").kind()).isEqualTo(Kind.COMMITTED);
            assertThat(b.stat("k1").kind()).isEqualTo(Kind.ACTIVE);
            assertThatThrownBy(() -> b.prepare("child", "base")).isInstanceOf(NotFoundException.class);
            a.prepare("child", "base");
            assertThat(a.stat("child").parent()).contains("base");
            assertThat(names(a)).containsExactly("base", "child");
            assertThat(names(shared)).containsExactly("team-a/base", "team-a/child", "team-b/k1");
            assertThatThrownBy(() -> a.remove("k1")).isInstanceOf(NotFoundException.class);
            assertThat(names(b)).containsExactly("k1");
            assertThatThrownBy(() -> service.snapshotter("a..b", "native")).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> service.snapshotter("team-a", "zfs")).isInstanceOf(InvalidArgumentException.class)
                    .hasMessage("snapshotter not loaded: zfs");
            assertThat(names(shared)).hasSize(3);
        }
    }

    /** A store made by the code before namespaces: its keys are the default namespace's, as they were. */
    @Test
    void keysOfAStoreMadeBeforeNamespacesBelongToTheDefaultNamespace() {
        try (Snapshotter old = Backends.open("overlayfs", root)) {
            old.prepare("base-active", "");
            old.commit("base", "base-active");
            old.prepare("work", "base");
            old.prepare("-odd/key", ""); // not a namespace before the slash: still the default namespace's
            old.prepare("team-a/k", ""); // a valid namespace before the slash: that namespace's key "k"
        }
        try (Snapshotter shared = Backends.open("overlayfs", root)) {
            SnapshotService service = new SnapshotService(n -> shared, Publisher.NONE);
            Snapshotter dflt = service.snapshotter(null, "overlayfs");
            assertThat(names(dflt)).containsExactly("-odd/key", "base", "work");
            assertThat(dflt.stat("work").parent()).contains("base");
            assertThat(names(service.snapshotter("team-a", "overlayfs"))).containsExactly("k");
            assertThat(names(service.snapshotter("team-b", "overlayfs"))).isEmpty();

            // A legacy name cannot be shadowed by a new snapshot of the same name.
            assertThatThrownBy(() -> dflt.prepare("base", "")).isInstanceOf(AlreadyExistsException.class);
            assertThatThrownBy(() -> dflt.commit("base", "work")).isInstanceOf(AlreadyExistsException.class);
            // New snapshots are stored with the prefix, on legacy parents.
            dflt.commit("next", "work");
            dflt.prepare("top", "next");
            Info top = dflt.stat("top");
            assertThat(top.parent()).contains("next");
            assertThat(dflt.stat("next").parent()).contains("base");
            assertThat(names(shared)).containsExactly("-odd/key", "base", "default/next", "default/top", "team-a/k");
            dflt.remove("top");
            dflt.remove("next");
            dflt.remove("-odd/key");
            assertThat(names(dflt)).containsExactly("base");
            assertThat(names(shared)).containsExactly("base", "team-a/k");
            assertThat(dflt.list("name==base")).extracting(Info::name).containsExactly("base");
        }
    }

    @Test
    void changesArePublishedInTheNamespaceWithItsOwnKeys() {
        List<String> seen = new ArrayList<>();
        Publisher events = (ns, e) -> seen.add(ns + " " + switch (e) {
            case Event.SnapshotPrepare p -> "prepare " + p.key() + " " + p.parent() + " " + p.snapshotter();
            case Event.SnapshotCommit c -> "commit " + c.key() + " " + c.name();
            case Event.SnapshotRemove r -> "remove " + r.key();
            default -> e.toString();
        });
        try (Snapshotter shared = Backends.open("native", root)) {
            SnapshotService service = new SnapshotService(n -> shared, events);
            Snapshotter a = service.snapshotter("team-a", "native");
            a.prepare("k", "");
            a.commit("c", "k");
            a.remove("c");
            service.asStored("not a namespace", "native").prepare("raw", "");
            assertThat(seen).containsExactly("team-a prepare k  native", "team-a commit k c", "team-a remove c",
                    "default prepare raw  native");
            // Closing a view leaves the backend open for its owner.
            a.close();
            service.asStored("default", "native").close();
            assertThat(shared.stat("raw").kind()).isEqualTo(Kind.ACTIVE);
        }
    }
}
