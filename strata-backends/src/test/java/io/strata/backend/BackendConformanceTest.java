package io.strata.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.backend.BlockOptions;
import io.strata.backend.block.BlockSnapshotter;
import io.strata.backend.nativefs.NativeSnapshotter;
import io.strata.backend.overlay.OverlayOptions;
import io.strata.backend.overlay.OverlaySnapshotter;
import io.strata.fs.CopyMethod;
import io.strata.metastore.MemoryMetaStore;
import io.strata.metastore.SqliteMetaStore;
import io.strata.testkit.LoopFileSystem;
import io.strata.testkit.SnapshotterConformance;
import io.strata.testkit.SnapshotterFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;

/**
 * The conformance suite on every backend, in process, on the durable store and its memory twin.
 * The block backend runs twice: with its root on the ext4 under the temporary directory, where
 * images are sparse copies, and on an xfs loop file system, where they are reflinks; afterwards
 * every block snapshotter the suite opened is checked to have copied only the expected way.
 */
class BackendConformanceTest extends SnapshotterConformance {
    private record Opened(BlockSnapshotter sn, CopyMethod expected) {
    }

    private final List<Opened> blocks = new ArrayList<>();
    private LoopFileSystem xfs;

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
                        root -> NativeSnapshotter.open(root, new MemoryMetaStore())),
                SnapshotterFixture.of("block/sqlite/ext4-sparse-copy", true,
                        root -> block(root, CopyMethod.COPY_FILE_RANGE)),
                SnapshotterFixture.of("block/sqlite/xfs-reflink", true,
                        root -> block(xfs().dirFor(root), CopyMethod.REFLINK)));
    }

    private BlockSnapshotter block(Path root, CopyMethod expected) {
        BlockSnapshotter sn = BlockSnapshotter.open(root, SqliteMetaStore.open(root.resolve("metadata.db")), BlockOptions.DEFAULTS);
        synchronized (blocks) {
            blocks.add(new Opened(sn, expected));
        }
        return sn;
    }

    private synchronized LoopFileSystem xfs() throws IOException {
        if (xfs == null) {
            assertThat(LoopFileSystem.canMake("xfs")).as("mkfs.xfs (xfsprogs) is installed").isTrue();
            xfs = LoopFileSystem.create("xfs", 4096, "-m", "reflink=1");
            assertThat(Files.getFileStore(xfs.mountPoint()).type()).isEqualTo("xfs");
        }
        return xfs;
    }

    @AfterAll
    void eachBlockRootCopiedTheExpectedWay() throws IOException {
        try {
            for (Opened o : blocks) {
                o.sn.copyCounts().forEach((method, n) -> {
                    if (method != o.expected) {
                        assertThat(n).as("%s copies on a root where %s is expected", method, o.expected).isZero();
                    }
                });
            }
            assertThat(blocks.stream().filter(o -> o.expected == CopyMethod.REFLINK)
                    .mapToLong(o -> o.sn.copyCounts().get(CopyMethod.REFLINK)).sum()).as("reflinks made on xfs").isPositive();
            assertThat(blocks.stream().filter(o -> o.expected == CopyMethod.COPY_FILE_RANGE)
                    .mapToLong(o -> o.sn.copyCounts().get(CopyMethod.COPY_FILE_RANGE)).sum()).as("sparse copies made on ext4").isPositive();
        } finally {
            if (xfs != null) {
                xfs.close();
            }
        }
    }
}
