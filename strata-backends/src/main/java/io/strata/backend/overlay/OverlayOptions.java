package io.strata.backend.overlay;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Options of the overlayfs backend, as containerd's overlay snapshotter options.
 *
 * @param asyncRemove   when true, {@code remove} only deletes the record and {@code cleanup}
 *                      frees the disk space later (containerd's {@code AsynchronousRemove})
 * @param upperdirLabel when true, every reported info carries the label
 *                      {@code containerd.io/snapshot/overlay.upperdir} with the snapshot's upper
 *                      directory (containerd's {@code WithUpperdirLabel}); it is never stored
 * @param mountOptions  extra overlay mount options appended to every overlay mount
 * @param linkDir       where the short links for deep stacks live (default {@code <root>/l}); keep
 *                      it short: with a directory of at most 22 characters 128 layers always fit
 *                      in one page of mount options
 */
public record OverlayOptions(boolean asyncRemove, boolean upperdirLabel, List<String> mountOptions,
                             Optional<Path> linkDir) {
    public static final OverlayOptions DEFAULTS = new OverlayOptions(false, false, List.of(), Optional.empty());

    public OverlayOptions {
        mountOptions = List.copyOf(mountOptions);
        linkDir = linkDir.map(Path::toAbsolutePath);
        for (String o : mountOptions) {
            if (o.isBlank() || o.contains(",")) {
                throw new io.strata.api.InvalidArgumentException("overlay mount option \"" + o
                        + "\" must be one non-empty option without commas");
            }
        }
    }

    public OverlayOptions withAsyncRemove(boolean on) {
        return new OverlayOptions(on, upperdirLabel, mountOptions, linkDir);
    }

    public OverlayOptions withUpperdirLabel(boolean on) {
        return new OverlayOptions(asyncRemove, on, mountOptions, linkDir);
    }

    public OverlayOptions withLinkDir(Path dir) {
        return new OverlayOptions(asyncRemove, upperdirLabel, mountOptions, Optional.of(dir));
    }
}
