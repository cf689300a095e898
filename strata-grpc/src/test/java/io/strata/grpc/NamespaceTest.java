package io.strata.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Status;
import io.strata.api.AlreadyExistsException;
import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Kind;
import io.strata.api.NotFoundException;
import io.strata.api.SnapshotOption;
import io.strata.grpc.proto.snapshots.StatSnapshotRequest;
import io.strata.service.NamespaceMode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NamespaceTest {

    @Test
    void isolateGivesEachNamespaceItsOwnKeys() throws Exception {
        try (Harness h = Harness.withBackends(NamespaceMode.ISOLATE)) {
            RemoteSnapshotter a = h.remote("overlayfs", "team-a");
            RemoteSnapshotter b = h.remote("overlayfs", "team-b");
            RemoteSnapshotter all = h.remote("overlayfs");

            a.prepare("k", "", SnapshotOption.labels(Map.of("owner", "a")));
            b.prepare("k", "", SnapshotOption.labels(Map.of("owner", "b")));
            a.commit("base", "k");
            a.prepare("child", "base");
            a.view("v", "base");

            assertThat(a.list()).extracting(Info::name).containsExactlyInAnyOrder("base", "child", "v");
            assertThat(b.list()).extracting(Info::name).containsExactly("k");
            assertThat(b.stat("k").labels()).containsEntry("owner", "b");
            assertThatThrownBy(() -> a.stat("k")).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> b.prepare("x", "base")).as("another namespace's parent is not visible")
                    .isInstanceOf(NotFoundException.class);

            // Names and parents come back without the prefix, and filters see them that way.
            Info child = a.stat("child");
            assertThat(child.name()).isEqualTo("child");
            assertThat(child.parent()).contains("base");
            assertThat(a.list("parent==base")).extracting(Info::name).containsExactlyInAnyOrder("child", "v");
            assertThat(a.list("name==base")).extracting(Info::name).containsExactly("base");
            assertThat(a.list("name~=^c")).extracting(Info::name).containsExactly("child");
            assertThat(a.list("kind==committed")).extracting(Info::kind).containsExactly(Kind.COMMITTED);
            assertThat(b.list("name==base")).isEmpty();
            assertThat(a.update("child", Map.of("u", "1")).name()).isEqualTo("child");

            // Without the header a request sees the stored keys, every namespace's.
            assertThat(all.list()).extracting(Info::name)
                    .containsExactlyInAnyOrder("team-a/base", "team-a/child", "team-a/v", "team-b/k");
            assertThat(all.stat("team-a/child").parent()).contains("team-a/base");
            assertThat(h.backends.get("overlayfs").list()).hasSize(4);

            b.remove("k");
            assertThat(b.list()).isEmpty();
            assertThat(a.list()).hasSize(3);
        }
    }

    @Test
    void isolateRefusesEmptyKeysAndBadNamespaceNames() throws Exception {
        try (Harness h = Harness.withBackends(NamespaceMode.ISOLATE)) {
            RemoteSnapshotter a = h.remote("native", "ns");
            assertThatThrownBy(() -> a.prepare("", "")).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("key must not be empty");
            assertThat(h.backends.get("native").list()).as("no \"ns/\" key was made").isEmpty();

            for (String bad : List.of("a/b", "..", "-x", "x".repeat(77), "sp ace")) {
                Status s = Status.fromThrowable(catchThrowable(() -> h.stub(bad)
                        .stat(StatSnapshotRequest.newBuilder().setSnapshotter("native").setKey("k").build())));
                assertThat(s.getCode()).as(bad).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(s.getDescription()).as(bad).contains("namespace");
            }
            assertThatThrownBy(() -> RemoteSnapshotter.builder(h.socket, "native").namespace("a/b"))
                    .isInstanceOf(InvalidArgumentException.class);
        }
    }

    @Test
    void ignoreSharesOneKeySpaceWhateverTheHeader() throws Exception {
        try (Harness h = Harness.withBackends(NamespaceMode.IGNORE)) {
            RemoteSnapshotter a = h.remote("native", "team-a");
            RemoteSnapshotter b = h.remote("native", "team-b");
            // What containerd sends: keys it has already namespaced itself.
            a.prepare("team-a/1/k", "");
            assertThatThrownBy(() -> b.prepare("team-a/1/k", "")).isInstanceOf(AlreadyExistsException.class);
            b.prepare("k", "");
            assertThat(a.list()).extracting(Info::name).containsExactlyInAnyOrder("team-a/1/k", "k");
            assertThat(b.list()).extracting(Info::name).containsExactlyInAnyOrder("team-a/1/k", "k");
            assertThat(h.remote("native").stat("k").name()).isEqualTo("k");
            // Not even validated: containerd never sends a bad one, and it would change nothing.
            assertThat(h.stub("not/an/identifier").stat(StatSnapshotRequest.newBuilder()
                    .setSnapshotter("native").setKey("k").build()).getInfo().getName()).isEqualTo("k");
        }
    }
}
