package io.strata.testkit;

import io.strata.api.Snapshotter;
import java.nio.file.Path;

/**
 * One way of getting a snapshotter for the conformance suite: a backend on a metastore, in
 * process or through the daemon. Each test opens a fresh one on an empty root.
 */
public interface SnapshotterFixture {

    /** A short name for test reports, for example {@code overlayfs/sqlite}. */
    String name();

    /** Opens a snapshotter storing everything under {@code root} (an empty directory). */
    Snapshotter open(Path root) throws Exception;

    /** Opens again on a root used before (for persistence tests); by default the same as {@link #open}. */
    default Snapshotter reopen(Path root) throws Exception {
        return open(root);
    }

    /** Whether snapshots survive {@link #reopen} (false for in-memory metastores). */
    boolean durable();

    /** A fixture built from a name, a durability flag and an opener. */
    static SnapshotterFixture of(String name, boolean durable, Opener opener) {
        return new SnapshotterFixture() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Snapshotter open(Path root) throws Exception {
                return opener.open(root);
            }

            @Override
            public boolean durable() {
                return durable;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** Opens a snapshotter at a root. */
    @FunctionalInterface
    interface Opener {
        Snapshotter open(Path root) throws Exception;
    }
}
