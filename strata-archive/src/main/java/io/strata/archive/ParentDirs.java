package io.strata.archive;

import io.strata.fs.ErrnoException;
import io.strata.fs.RootDir;
import io.strata.fs.Stat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The metadata of a directory a layer needs but does not contain (containerd's mkparent): the
 * same directory's in the nearest layer below that has the path, if there it is a directory.
 */
final class ParentDirs {
    static final String OVERLAY_XATTRS = "trusted.overlay.";

    private ParentDirs() {}

    /**
     * Gives directory {@code d} of {@code root} the owner, mode and xattrs (overlayfs's own
     * excepted) of {@code d} in the first of {@code parents} that has the path, and with
     * {@code times} its times too; nothing when that one is not a directory, or none has it.
     */
    static void copy(RootDir root, List<RootDir> parents, byte[] d, boolean times) throws ErrnoException {
        for (RootDir p : parents) {
            Optional<Stat> st = p.lstat(d);
            if (st.isEmpty()) {
                continue;
            }
            if (!st.get().isDirectory()) {
                return;
            }
            Stat s = st.get();
            root.lchown(d, s.uid(), s.gid());
            root.chmod(d, s.permissions());
            for (Map.Entry<String, byte[]> x : p.xattrs(d).entrySet()) {
                if (!x.getKey().startsWith(OVERLAY_XATTRS)) {
                    root.setXattr(d, x.getKey(), x.getValue());
                }
            }
            if (times) {
                root.setTimes(d, LayerApplier.nanos(s.atime()), LayerApplier.nanos(s.mtime()));
            }
            return;
        }
    }
}
