package io.strata.image.diff;

import io.strata.api.InvalidArgumentException;
import io.strata.api.Mount;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The trees a differ may write to: the mounts of an apply request must lie below one of these
 * roots (Strata's own state root, containerd's root where its snapshotters keep their snapshots).
 * A request whose mounts reach anywhere else is refused before anything is mounted or written, so
 * that a client of the socket cannot make Strata unpack into {@code /etc}.
 *
 * <p>What is checked, per mount, after resolving symbolic links: the source of a {@code bind} or
 * {@code rbind} mount; the {@code upperdir}, {@code workdir} and every {@code lowerdir} of an
 * {@code overlay}; the image file of a {@code loop} mount of any file system type. Any other mount
 * (a block device, {@code tmpfs}, a network file system) is refused: it is nothing a snapshotter
 * under these roots hands out.
 */
public record MountScope(List<Path> roots) {
    public MountScope {
        roots = List.copyOf(roots);
    }

    /**
     * Checks {@code mounts}.
     *
     * @throws InvalidArgumentException naming the first path outside the roots, a path that does not
     *     exist, or a mount of a kind the differ does not write to
     */
    public void check(List<Mount> mounts) {
        if (mounts.isEmpty()) {
            throw new InvalidArgumentException("no mounts to apply the layer to");
        }
        List<Path> real = new ArrayList<>();
        for (Path r : roots) {
            try {
                real.add(r.toRealPath());
            } catch (IOException e) {
                // a root that does not exist (yet) holds no mount
            }
        }
        for (Mount m : mounts) {
            for (String p : paths(m)) {
                inside(m, p, real);
            }
        }
    }

    private static List<String> paths(Mount m) {
        switch (m.type()) {
            case "bind", "rbind" -> {
                return List.of(m.source());
            }
            case "overlay" -> {
                List<String> out = new ArrayList<>();
                for (String o : m.options()) {
                    if (o.startsWith("upperdir=") || o.startsWith("workdir=")) {
                        out.add(o.substring(o.indexOf('=') + 1));
                    } else if (o.startsWith("lowerdir=")) {
                        out.addAll(List.of(o.substring("lowerdir=".length()).split(":")));
                    } else if (o.startsWith("lowerdir+=") || o.startsWith("datadir+=")) {
                        out.add(o.substring(o.indexOf('=') + 1));
                    }
                }
                if (out.isEmpty()) {
                    throw new InvalidArgumentException("overlay mount " + m + " names no directories");
                }
                return out;
            }
            default -> {
                if (m.options().contains("loop")) {
                    return List.of(m.source());
                }
                throw new InvalidArgumentException("cannot apply a layer to a " + m.type() + " mount of " + m.source()
                        + ": the differ writes only to bind, overlay and loop-file mounts of snapshots");
            }
        }
    }

    private void inside(Mount m, String path, List<Path> realRoots) {
        if (path.isEmpty() || !path.startsWith("/")) {
            throw new InvalidArgumentException("mount path \"" + path + "\" of " + m.type() + " mount is not absolute");
        }
        Path real;
        try {
            real = Path.of(path).toRealPath();
        } catch (NoSuchFileException e) {
            throw new InvalidArgumentException("mount path " + path + " of " + m.type() + " mount does not exist");
        } catch (IOException e) {
            throw new InvalidArgumentException("mount path " + path + " of " + m.type() + " mount cannot be resolved: " + e);
        }
        for (Path root : realRoots) {
            if (real.startsWith(root) && !real.equals(root)) {
                return;
            }
        }
        throw new InvalidArgumentException("mount path " + path + (real.toString().equals(path) ? "" : " (" + real + ")")
                + " is outside what the differ may write to (" + String.join(", ", roots.stream().map(Path::toString).toList())
                + ")");
    }
}
