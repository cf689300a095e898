package io.strata.archive;

import io.strata.api.Mount;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads overlay and bind mounts to find directories that can be used without mounting. */
final class OverlayLayout {
    private OverlayLayout() {}

    /**
     * The directory holding exactly the changes of {@code upper} over {@code lower}, when
     * {@code upper} is an overlay (active: its upperdir; a view: its top lowerdir) stacked on
     * precisely the directories {@code lower} shows.
     */
    static Optional<Path> upperOf(List<Mount> lower, List<Mount> upper) throws IOException {
        if (upper.size() != 1 || !upper.getFirst().type().equals("overlay")) {
            return Optional.empty();
        }
        Mount u = upper.getFirst();
        List<Path> lowers = lowerdirs(u);
        String upperdir = option(u, "upperdir=");
        Path changes;
        List<Path> below;
        if (upperdir != null) {
            changes = Path.of(upperdir);
            below = lowers;
        } else if (!lowers.isEmpty()) {
            changes = lowers.getFirst();
            below = lowers.subList(1, lowers.size());
        } else {
            return Optional.empty();
        }
        Optional<List<Path>> shown = layers(lower);
        if (shown.isEmpty() || !sameDirs(shown.get(), below)) {
            return Optional.empty();
        }
        return Optional.of(changes);
    }

    /** The source of a single bind mount: a tree usable in place. */
    static Optional<Path> bindSource(List<Mount> mounts) {
        if (mounts.size() == 1 && (mounts.getFirst().type().equals("bind") || mounts.getFirst().type().equals("rbind"))) {
            return Optional.of(Path.of(mounts.getFirst().source()));
        }
        return Optional.empty();
    }

    /** The directories stacked by read-only mounts, top first; empty list for no mounts. */
    private static Optional<List<Path>> layers(List<Mount> mounts) {
        if (mounts.isEmpty()) {
            return Optional.of(List.of());
        }
        Optional<Path> bind = bindSource(mounts);
        if (bind.isPresent()) {
            return Optional.of(List.of(bind.get()));
        }
        if (mounts.size() == 1 && mounts.getFirst().type().equals("overlay") && option(mounts.getFirst(), "upperdir=") == null) {
            return Optional.of(lowerdirs(mounts.getFirst()));
        }
        return Optional.empty();
    }

    private static boolean sameDirs(List<Path> a, List<Path> b) throws IOException {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).toRealPath().equals(b.get(i).toRealPath())) {
                return false;
            }
        }
        return true;
    }

    static List<Path> lowerdirs(Mount m) {
        List<Path> out = new ArrayList<>();
        String lower = option(m, "lowerdir=");
        if (lower != null) {
            for (String l : lower.split(":")) {
                out.add(Path.of(l));
            }
        }
        return out;
    }

    static String option(Mount m, String prefix) {
        for (String o : m.options()) {
            if (o.startsWith(prefix)) {
                return o.substring(prefix.length());
            }
        }
        return null;
    }
}
