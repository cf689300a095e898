package io.strata.service;

import io.strata.api.Mount;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import io.strata.events.Event;
import io.strata.events.Publisher;
import java.util.List;

/**
 * A backend with its keys as stored, whose changes are published in the namespace each key belongs
 * to, under the name it has there (what garbage collection, which works across namespaces, publishes).
 */
final class PublishingByKey extends Forwarding {
    private final Publisher events;
    private final String snapshotter;

    PublishingByKey(Snapshotter backend, Publisher events, String snapshotter) {
        super(backend, () -> { });
        this.events = events;
        this.snapshotter = snapshotter;
    }

    @Override
    public List<Mount> prepare(String key, String parent, SnapshotOption... options) {
        List<Mount> mounts = backend.prepare(key, parent, options);
        events.publish(StoredKeys.namespaceOf(key), new Event.SnapshotPrepare(StoredKeys.nameOf(key),
                parent == null || parent.isEmpty() ? "" : StoredKeys.nameOf(parent), snapshotter));
        return mounts;
    }

    @Override
    public void commit(String name, String key, SnapshotOption... options) {
        backend.commit(name, key, options);
        events.publish(StoredKeys.namespaceOf(key), new Event.SnapshotCommit(StoredKeys.nameOf(key), StoredKeys.nameOf(name), snapshotter));
    }

    @Override
    public void remove(String key) {
        backend.remove(key);
        events.publish(StoredKeys.namespaceOf(key), new Event.SnapshotRemove(StoredKeys.nameOf(key), snapshotter));
    }
}
