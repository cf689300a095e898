package io.strata.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a file-system image is mounted through loop devices: the mount points, in this process's
 * mount namespace, of every mount whose source is a loop device bound to that file. A device is
 * matched by the device and inode numbers of its backing file (LOOP_GET_STATUS64), so the
 * image's path may be spelled any way, and a deleted or renamed image is still found.
 *
 * <p>Mounts made in other mount namespaces only (for example inside a container that unshared
 * after mounting) are not seen.
 */
public final class LoopMounts {
    private static final Pattern LOOP_DEVICE = Pattern.compile("/dev/loop[0-9]+");
    /** What the kernel appends to the backing file's name once the file is deleted. */
    private static final String DELETED = " (deleted)";

    private LoopMounts() {}

    /** Mount points of file systems on loop devices backed by {@code image}; empty if none. */
    public static List<Path> of(Path image) throws IOException {
        Stat target = Stat.stat(image);
        Map<String, Optional<LoopDevice.Backing>> seen = new HashMap<>();
        List<Path> out = new ArrayList<>();
        for (MountInfo.Entry e : MountInfo.entries()) {
            if (!LOOP_DEVICE.matcher(e.source()).matches()) {
                continue;
            }
            Optional<LoopDevice.Backing> b = seen.get(e.source());
            if (b == null) {
                b = LoopDevice.backing(e.source());
                seen.put(e.source(), b);
            }
            if (b.isPresent() && b.get().dev() == target.dev() && b.get().ino() == target.ino()) {
                out.add(Path.of(e.mountPoint()));
            }
        }
        return out;
    }

    /**
     * Mount points of file systems on loop devices backed by a file under {@code dir}, also when
     * that file has been deleted since (the device keeps it alive, and only an unmount lets it go).
     * The backing file's path is the kernel's ({@code /sys/block/loopN/loop/backing_file}), as it
     * was when the device was bound; {@code dir} is compared with its real path.
     */
    public static List<Path> backedUnder(Path dir) throws IOException {
        Path real = dir.toRealPath();
        List<Path> out = new ArrayList<>();
        for (MountInfo.Entry e : MountInfo.entries()) {
            if (LOOP_DEVICE.matcher(e.source()).matches()
                    && backingFile(e.source()).filter(f -> f.startsWith(real)).isPresent()) {
                out.add(Path.of(e.mountPoint()));
            }
        }
        return out;
    }

    private static Optional<Path> backingFile(String device) throws IOException {
        Path sys = Path.of("/sys/block", device.substring("/dev/".length()), "loop", "backing_file");
        try {
            String name = Files.readString(sys).strip();
            return Optional.of(Path.of(name.endsWith(DELETED) ? name.substring(0, name.length() - DELETED.length()) : name));
        } catch (NoSuchFileException unbound) {
            return Optional.empty();
        }
    }
}
