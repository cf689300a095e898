package io.strata.grpc;

import io.strata.api.Info;
import io.strata.api.InfoFilters;
import io.strata.api.Limits;
import io.strata.api.Mount;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.api.Usage;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One namespace's view of a shared snapshotter ({@link NamespaceMode#ISOLATE}): keys, names and
 * parents are stored as {@code <namespace>/<key>} and handed back without the prefix. Made per
 * request; {@link #close()} leaves the shared snapshotter open.
 */
final class NamespacedSnapshotter implements Snapshotter {
    private final Snapshotter shared;
    private final String prefix;

    NamespacedSnapshotter(Snapshotter shared, String namespace) {
        this.shared = shared;
        this.prefix = Namespaces.validate(namespace) + "/";
    }

    // Checked before prefixing: "" would otherwise become the valid key "<namespace>/".
    private String in(String what, String key) {
        return prefix + Limits.checkKey(what, key);
    }

    private String parentIn(String parent) {
        return parent == null || parent.isEmpty() ? "" : prefix + parent;
    }

    private String out(String stored) {
        return stored.startsWith(prefix) ? stored.substring(prefix.length()) : stored;
    }

    private Info out(Info stored) {
        return new Info(out(stored.name()), stored.kind(), stored.parent().map(this::out), stored.labels(),
                stored.created(), stored.updated());
    }

    @Override
    public Info stat(String key) {
        return out(shared.stat(in("key", key)));
    }

    @Override
    public Info update(Info info, String... fieldPaths) {
        Info stored = new Info(in("name", info.name()), info.kind(), info.parent().map(this::parentIn),
                info.labels(), info.created(), info.updated());
        return out(shared.update(stored, fieldPaths));
    }

    @Override
    public Usage usage(String key) {
        return shared.usage(in("key", key));
    }

    @Override
    public List<Mount> mounts(String key) {
        return shared.mounts(in("key", key));
    }

    @Override
    public List<Mount> prepare(String key, String parent, SnapshotOption... options) {
        return shared.prepare(in("key", key), parentIn(parent), options);
    }

    @Override
    public List<Mount> view(String key, String parent, SnapshotOption... options) {
        return shared.view(in("key", key), parentIn(parent), options);
    }

    @Override
    public void commit(String name, String key, SnapshotOption... options) {
        shared.commit(in("name", name), in("key", key), parentsIn(options));
    }

    @Override
    public void remove(String key) {
        shared.remove(in("key", key));
    }

    /** The options with a rebase parent named as the shared snapshotter stores it. */
    private SnapshotOption[] parentsIn(SnapshotOption... options) {
        SnapshotOption[] mapped = options.clone();
        for (int i = 0; i < mapped.length; i++) {
            if (mapped[i] instanceof SnapshotOption.Parent p && !p.parent().isEmpty()) {
                mapped[i] = SnapshotOption.parent(parentIn(p.parent()));
            }
        }
        return mapped;
    }

    @Override
    public Set<String> capabilities() {
        return shared.capabilities();
    }

    /** Filters apply to the names as this namespace sees them, so they run here, not in the shared snapshotter. */
    @Override
    public void walk(Consumer<Info> fn, String... filters) {
        Predicate<Info> filter = InfoFilters.parse(filters);
        shared.walk(stored -> {
            if (stored.name().startsWith(prefix)) {
                Info seen = out(stored);
                if (filter.test(seen)) {
                    fn.accept(seen);
                }
            }
        });
    }

    /** Frees space of the whole shared snapshotter: removed snapshots belong to no namespace any more. */
    @Override
    public void cleanup() {
        shared.cleanup();
    }

    @Override
    public void close() {
        // The shared snapshotter belongs to the server.
    }
}
