package io.strata.backend;

import io.strata.backend.nativefs.NativeSnapshotter;
import io.strata.backend.overlay.OverlayOptions;
import io.strata.backend.overlay.OverlaySnapshotter;
import io.strata.metastore.MemoryMetaStore;
import io.strata.metastore.SqliteMetaStore;
import io.strata.testkit.SnapshotterConformance;
import io.strata.testkit.SnapshotterFixture;
import java.util.stream.Stream;

/** The conformance suite on every backend, in process, on the durable store and its memory twin. */
class BackendConformanceTest extends SnapshotterConformance {

    @Override
    protected Stream<SnapshotterFixture> fixtures() {
        return Stream.of(
                SnapshotterFixture.of("overlayfs/sqlite", true,
                        root -> OverlaySnapshotter.open(root, SqliteMetaStore.open(root.resolve("metadata.db")), OverlayOptions.DEFAULTS)),
                SnapshotterFixture.of("overlayfs/memory", false,
                        root -> OverlaySnapshotter.open(root, new MemoryMetaStore(), OverlayOptions.DEFAULTS)),
                SnapshotterFixture.of("overlayfs/sqlite/async-remove", true,
                        root -> OverlaySnapshotter.open(root, SqliteMetaStore.open(root.resolve("metadata.db")),
                                OverlayOptions.DEFAULTS.withAsyncRemove(true))),
                SnapshotterFixture.of("native/sqlite", true,
                        root -> NativeSnapshotter.open(root, SqliteMetaStore.open(root.resolve("metadata.db")))),
                SnapshotterFixture.of("native/memory", false,
                        root -> NativeSnapshotter.open(root, new MemoryMetaStore())));
    }
}
