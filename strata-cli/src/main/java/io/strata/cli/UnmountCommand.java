package io.strata.cli;

import io.strata.fs.Mounter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strata unmount TARGET}: unmounts everything stacked at a directory. */
@Command(name = "unmount", aliases = {"umount"}, mixinStandardHelpOptions = true,
        description = "Unmount every mount stacked at TARGET.")
final class UnmountCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Mount point.")
    Path target;
    @Option(names = {"--lazy", "-l"}, description = "Detach now, clean up when no longer busy (MNT_DETACH).")
    boolean lazy;

    @Override
    public Integer call() throws Exception {
        if (lazy) {
            Mounter.unmount(target.toAbsolutePath(), Mounter.UnmountFlag.DETACH);
        } else {
            Mounter.unmountAll(target.toAbsolutePath());
        }
        return 0;
    }
}
