package io.strata.api;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A snapshotter that hands every call to {@link #delegate()}; subclasses override what they add
 * (publishing, a namespace, waiting for a backend to open). Closing closes the delegate unless
 * overridden.
 */
public abstract class ForwardingSnapshotter implements Snapshotter {
    /** Constructor for subclasses. */
    protected ForwardingSnapshotter() {
    }

    /** The snapshotter calls go to; asked once per call. */
    protected abstract Snapshotter delegate();

    @Override
    public Set<String> capabilities() {
        return delegate().capabilities();
    }

    @Override
    public Info stat(String key) {
        return delegate().stat(key);
    }

    @Override
    public Info update(String key, Map<String, String> labels, String... fieldPaths) {
        return delegate().update(key, labels, fieldPaths);
    }

    @Override
    public Usage usage(String key) {
        return delegate().usage(key);
    }

    @Override
    public List<Mount> mounts(String key) {
        return delegate().mounts(key);
    }

    @Override
    public List<Mount> prepare(String key, String parent, SnapshotOption... options) {
        return delegate().prepare(key, parent, options);
    }

    @Override
    public List<Mount> view(String key, String parent, SnapshotOption... options) {
        return delegate().view(key, parent, options);
    }

    @Override
    public void commit(String name, String key, SnapshotOption... options) {
        delegate().commit(name, key, options);
    }

    @Override
    public void remove(String key) {
        delegate().remove(key);
    }

    @Override
    public void walk(Consumer<Info> fn, String... filters) {
        delegate().walk(fn, filters);
    }

    @Override
    public void cleanup() {
        delegate().cleanup();
    }

    @Override
    public void close() {
        delegate().close();
    }
}
