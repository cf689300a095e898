package io.strata.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.AlreadyExistsException;
import io.strata.api.Snapshotter;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublishingSnapshotterTest {
    private final List<String> calls = new ArrayList<>();
    private final List<Event> published = new ArrayList<>();

    /** A snapshotter that records calls and refuses keys starting with "taken". */
    private Snapshotter backend() {
        return (Snapshotter) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Snapshotter.class},
                (proxy, method, args) -> {
                    calls.add(method.getName());
                    if (args != null && args[0] instanceof String s && s.startsWith("taken")) {
                        throw new AlreadyExistsException("snapshot " + s + ": already exists");
                    }
                    return method.getReturnType() == List.class ? List.of() : null;
                });
    }

    @Test
    void publishesPrepareCommitAndRemoveAfterTheyHappenButNotViews() {
        Snapshotter sn = new PublishingSnapshotter(backend(), (ns, e) -> {
            assertThat(ns).isEqualTo("k8s.io");
            published.add(e);
        }, "k8s.io", "overlayfs");
        sn.prepare("a", "p");
        sn.view("v", "p");
        sn.commit("name", "a");
        sn.remove("name");
        assertThatThrownBy(() -> sn.prepare("taken", "")).isInstanceOf(AlreadyExistsException.class);
        assertThatThrownBy(() -> sn.remove("taken")).isInstanceOf(AlreadyExistsException.class);
        assertThat(calls).containsExactly("prepare", "view", "commit", "remove", "prepare", "remove");
        assertThat(published).containsExactly(
                new Event.SnapshotPrepare("a", "p", "overlayfs"),
                new Event.SnapshotCommit("a", "name", "overlayfs"),
                new Event.SnapshotRemove("name", "overlayfs"));
    }
}
