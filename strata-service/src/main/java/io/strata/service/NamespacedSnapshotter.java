package io.strata.service;

import io.strata.api.AlreadyExistsException;
import io.strata.api.Info;
import io.strata.api.InfoFilters;
import io.strata.api.Limits;
import io.strata.api.Mount;
import io.strata.api.Namespaces;
import io.strata.api.NotFoundException;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.api.Usage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One namespace's view of a shared snapshotter: keys, names and parents are stored as
 * {@code <namespace>/<key>} and handed back without the prefix.
 *
 * <p>Stores written before namespaces isolated keys in process hold keys without a prefix. Those
 * belong to {@value Namespaces#DEFAULT} (ADR 0014): a stored key is another namespace's only if it
 * starts with a valid namespace name and '/'; every other stored key is a <em>legacy</em> key, which
 * the default view shows as it is, finds when no prefixed key of that name exists, and will not
 * shadow with a new snapshot of the same name. New snapshots are always stored with the prefix.
 * {@link #close()} leaves the shared snapshotter open.
 */
final class NamespacedSnapshotter implements Snapshotter {
    private final Snapshotter shared;
    private final String namespace;
    private final String prefix;
    private final boolean legacy;

    NamespacedSnapshotter(Snapshotter shared, String namespace) {
        this.shared = shared;
        this.namespace = Namespaces.validate(namespace);
        this.prefix = StoredKeys.stored(namespace, "");
        this.legacy = namespace.equals(Namespaces.DEFAULT);
    }

    // Checked before prefixing: "" would otherwise become the valid key "<namespace>/".
    private String in(String what, String key) {
        return prefix + Limits.checkKey(what, key);
    }

    private boolean hasLegacy(String key) {
        return legacy && StoredKeys.isLegacy(key);
    }

    /** Runs {@code op} on the prefixed key, and in the default namespace on the legacy key when that is missing. */
    private <T> T existing(String what, String key, Function<String, T> op) {
        String stored = in(what, key);
        try {
            return op.apply(stored);
        } catch (NotFoundException missing) {
            if (!hasLegacy(key)) {
                throw missing;
            }
            try {
                return op.apply(key);
            } catch (NotFoundException alsoMissing) {
                throw missing;
            }
        }
    }

    /** The stored key for a new snapshot: refused if a legacy snapshot already has that name here. */
    private String storedNew(String what, String key) {
        String stored = in(what, key);
        if (hasLegacy(key) && exists(key)) {
            throw new AlreadyExistsException("snapshot " + key + ": already exists");
        }
        return stored;
    }

    private boolean exists(String stored) {
        try {
            shared.stat(stored);
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private String parentIn(String parent) {
        return parent == null || parent.isEmpty() ? "" : StoredKeys.existing(namespace, parent, this::exists);
    }

    /** The name this namespace sees for a stored key, or null if the key is not this namespace's. */
    private String seen(String stored) {
        if (stored.startsWith(prefix)) {
            return stored.substring(prefix.length());
        }
        return legacy && StoredKeys.isLegacy(stored) ? stored : null;
    }

    private Info out(Info stored) {
        String name = seen(stored.name());
        return new Info(name == null ? stored.name() : name, stored.kind(),
                stored.parent().map(p -> {
                    String s = seen(p);
                    return s == null ? p : s;
                }), stored.labels(), stored.created(), stored.updated());
    }

    @Override
    public Info stat(String key) {
        return out(existing("key", key, shared::stat));
    }

    @Override
    public Info update(String key, Map<String, String> labels, String... fieldPaths) {
        return out(existing("name", key, stored -> shared.update(stored, labels, fieldPaths)));
    }

    @Override
    public Usage usage(String key) {
        return existing("key", key, shared::usage);
    }

    @Override
    public List<Mount> mounts(String key) {
        return existing("key", key, shared::mounts);
    }

    @Override
    public List<Mount> prepare(String key, String parent, SnapshotOption... options) {
        return shared.prepare(storedNew("key", key), parentIn(parent), options);
    }

    @Override
    public List<Mount> view(String key, String parent, SnapshotOption... options) {
        return shared.view(storedNew("key", key), parentIn(parent), options);
    }

    @Override
    public void commit(String name, String key, SnapshotOption... options) {
        String stored = storedNew("name", name);
        SnapshotOption[] mapped = parentsIn(options);
        existing("key", key, k -> {
            shared.commit(stored, k, mapped);
            return null;
        });
    }

    @Override
    public void remove(String key) {
        existing("key", key, k -> {
            shared.remove(k);
            return null;
        });
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
            if (seen(stored.name()) != null) {
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
        // The shared snapshotter belongs to whoever opened it.
    }
}
