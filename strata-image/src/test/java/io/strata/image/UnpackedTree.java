package io.strata.image;

import io.strata.api.Snapshotter;
import io.strata.fs.Mounter;
import io.strata.testkit.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** Checks an unpacked chain by mounting a read-only view of it and comparing with a reference tree. */
final class UnpackedTree {
    private UnpackedTree() {
    }

    /** Views {@code top} of {@code snapshotter} at a fresh directory under {@code work} and compares it with {@code expected}. */
    static void assertSame(Snapshotter snapshotter, String top, Path expected, Path work) throws Exception {
        String key = "check-" + UUID.randomUUID();
        Path target = Files.createDirectories(work.resolve(key));
        Mounter.mountAll(snapshotter.view(key, top), target);
        try {
            TreeAssert.assertSameTree(expected, target);
        } finally {
            Mounter.unmount(target);
            snapshotter.remove(key);
        }
    }
}
