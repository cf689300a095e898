package io.strata.cli;

import io.strata.testkit.PrivateContainerd;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;

/** A test class whose tests each run a {@link StrataAndContainerd}, stopped after the test. */
abstract class WithContainerd {
    private StrataAndContainerd world;
    /** The test's directory (the daemon's state is {@code dir/strata}). */
    protected Path dir;
    /** The daemon's socket. */
    protected Path socket;
    /** The running containerd. */
    protected PrivateContainerd containerd;

    /** Starts the daemon and containerd {@code install} for this test. */
    protected void start(PrivateContainerd.Install install) throws Exception {
        world = StrataAndContainerd.start(install);
        dir = world.dir();
        socket = world.socket();
        containerd = world.containerd();
    }

    @AfterEach
    void stopTheWorld() throws Exception {
        if (world != null) {
            world.close();
        }
    }
}
