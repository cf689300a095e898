package io.strata.service;

import io.strata.api.NotFoundException;
import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import io.strata.events.Publisher;
import io.strata.testkit.SnapshotterConformance;
import io.strata.testkit.SnapshotterFixture;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The whole conformance suite on one namespace's view from the service, over a backend that other
 * namespaces share: each root also holds another namespace's snapshots, which the view must neither
 * show nor touch, and whose names collide with the suite's own.
 */
class ServiceConformanceTest extends SnapshotterConformance {

    @Override
    protected Stream<SnapshotterFixture> fixtures() {
        return Stream.of(viewOf("overlayfs", "default"), viewOf("native", "team-a"), viewOf("block", "k8s.io"));
    }

    private static SnapshotterFixture viewOf(String backend, String namespace) {
        return SnapshotterFixture.of(backend + "/service/" + namespace, true, root -> {
            Snapshotter shared = Backends.open(backend, root);
            SnapshotService service = new SnapshotService(n -> shared, Publisher.NONE);
            Snapshotter neighbour = service.snapshotter("neighbour", backend);
            try {
                neighbour.stat("a");
            } catch (NotFoundException first) {
                // Names the suite uses too: "a" active, "base" committed, "b" on top of it.
                neighbour.prepare("a", "");
                neighbour.prepare("base-active", "");
                neighbour.commit("base", "base-active");
                neighbour.prepare("b", "base");
            }
            return SnapshotService.closing(service.snapshotter(namespace, backend), shared);
        });
    }
}
