package io.strata.backend.block;

import io.strata.api.FailedPreconditionException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Mount;
import io.strata.fs.CrashPoint;
import io.strata.fs.ErrnoException;
import io.strata.fs.FileOps;
import io.strata.fs.Mounter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Grows a new, not yet published scratch image: the file (sparse), then the ext4 inside it,
 * offline. Offline because the online way, EXT4_IOC_RESIZE_FS on a mount, needs
 * CAP_SYS_RESOURCE, which a snapshotter running with just CAP_SYS_ADMIN (as in many containers)
 * does not have; see ADR 0008.
 */
final class Growth {
    private Growth() {
    }

    /** Grows {@code image} to {@code bytes}; {@code scratchDir} may hold a temporary mount point. */
    static void grow(Path image, long bytes, Path scratchDir) throws IOException {
        Ext4Superblock sb = Ext4Superblock.read(image);
        if (sb.hasErrors()) {
            throw new FailedPreconditionException("cannot grow a copy of an image with file-system errors recorded;"
                    + " run e2fsck on its source");
        }
        if (sb.needsRecovery()) {
            // Its source was copied while still mounted, or after a crash: resizing under an
            // unreplayed journal would let the replay undo the new group descriptors. A mount
            // replays the journal and an unmount leaves the file system clean.
            Mounter.withMounted(List.of(new Mount("ext4", image.toString(), List.of("loop", "rw"))), scratchDir, mnt -> null);
        }
        try {
            FileOps.truncate(image, bytes);
        } catch (ErrnoException e) {
            if (e.errno() == ErrnoException.EFBIG) {
                throw new InvalidArgumentException("cannot grow a block snapshot to " + bytes
                        + " bytes: the file system under the snapshotter's root does not allow files that large");
            }
            throw e;
        }
        CrashPoint.reach("prepare.after-grow-file");
        E2fsprogs.grow(image);
    }
}
