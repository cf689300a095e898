package io.strata.grpc;

import io.strata.service.NamespaceMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.Info;
import io.strata.api.UnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RemoteSnapshotterTest {

    @Test
    void noServerIsUnavailable() throws Exception {
        Path dir = Files.createTempDirectory("strata-remote-");
        try (RemoteSnapshotter sn = RemoteSnapshotter.connect(dir.resolve("nobody.sock"), "overlayfs")) {
            assertThatThrownBy(() -> sn.stat("k")).isInstanceOf(UnavailableException.class);
            assertThatThrownBy(sn::list).isInstanceOf(UnavailableException.class);
        } finally {
            io.strata.testkit.Tree.deleteTree(dir);
        }
    }

    @Test
    void closeIsIdempotentAndFinal() throws Exception {
        try (Harness h = Harness.withBackends(NamespaceMode.ISOLATE)) {
            AtomicInteger closedAlso = new AtomicInteger();
            RemoteSnapshotter sn = RemoteSnapshotter.builder(h.socket, "native").alsoClose(closedAlso::incrementAndGet).connect();
            sn.prepare("k", "");
            sn.close();
            sn.close();
            assertThat(closedAlso).hasValue(1);
            assertThatThrownBy(() -> sn.stat("k")).isInstanceOf(UnavailableException.class);
            assertThatThrownBy(() -> sn.prepare("k2", "")).isInstanceOf(UnavailableException.class);
            assertThatThrownBy(sn::list).isInstanceOf(UnavailableException.class);
            assertThat(h.remote("native").stat("k").name()).as("the server is untouched").isEqualTo("k");
        }
    }

    @Test
    void walkReadsEveryBatchAndAThrowingCallbackEndsIt() throws Exception {
        try (Harness h = Harness.withBackends(NamespaceMode.ISOLATE)) {
            RemoteSnapshotter sn = h.remote("native");
            for (int i = 0; i < 230; i++) {
                sn.prepare("w-" + i, "");
            }
            List<String> seen = new ArrayList<>();
            sn.walk(i -> seen.add(i.name()));
            assertThat(seen).hasSize(230).doesNotHaveDuplicates();

            AtomicInteger calls = new AtomicInteger();
            IllegalStateException stop = new IllegalStateException("enough");
            assertThatThrownBy(() -> sn.walk(i -> {
                if (calls.incrementAndGet() == 150) {
                    throw stop;
                }
            })).isSameAs(stop);
            assertThat(calls).hasValue(150);
            // Calls from inside the callback work (a nested call on the same channel).
            sn.walk(i -> assertThat(sn.stat(i.name())).isEqualTo(i), "name==w-7");
            assertThat(sn.list("name==w-7")).extracting(Info::name).containsExactly("w-7");
        }
    }
}
