package io.strata.cli;

import io.strata.api.Snapshotter;
import io.strata.fs.Mounter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code strata mount KEY TARGET}: mounts an active or view snapshot at a directory and leaves it mounted. */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = "Mount an active or view snapshot at TARGET (unmount with 'strata unmount TARGET').")
final class MountCommand implements Callable<Integer> {
    @Mixin
    StoreOptions store;
    @Parameters(index = "0", description = "Key of an active or view snapshot.")
    String key;
    @Parameters(index = "1", description = "Existing directory to mount on.")
    Path target;

    @Override
    public Integer call() throws Exception {
        try (Snapshotter sn = store.open()) {
            if (!Files.isDirectory(target)) {
                throw new io.strata.api.InvalidArgumentException("mount target " + target + " is not a directory");
            }
            Mounter.mountAll(sn.mounts(key), target.toAbsolutePath());
        }
        return 0;
    }
}
