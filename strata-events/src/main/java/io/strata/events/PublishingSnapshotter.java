package io.strata.events;

import io.strata.api.ForwardingSnapshotter;
import io.strata.api.Mount;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import java.util.List;
import java.util.Objects;

/**
 * A snapshotter that publishes what containerd's snapshot service publishes after each change
 * succeeds: {@code /snapshot/prepare} (not for views), {@code /snapshot/commit} and
 * {@code /snapshot/remove}, in one namespace and naming the snapshotter.
 */
public final class PublishingSnapshotter extends ForwardingSnapshotter {
    private final Snapshotter inner;
    private final Publisher publisher;
    private final String namespace;
    private final String snapshotter;
    private final AutoCloseable alsoClose;

    /** Publishes to {@code publisher}; closing closes {@code inner} only. */
    public PublishingSnapshotter(Snapshotter inner, Publisher publisher, String namespace, String snapshotter) {
        this(inner, publisher, namespace, snapshotter, null);
    }

    private PublishingSnapshotter(Snapshotter inner, Publisher publisher, String namespace, String snapshotter,
                                  AutoCloseable alsoClose) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.namespace = io.strata.api.Namespaces.validate(namespace);
        this.snapshotter = Objects.requireNonNull(snapshotter, "snapshotter");
        this.alsoClose = alsoClose;
    }

    @Override
    protected Snapshotter delegate() {
        return inner;
    }

    /** Publishes to {@code journal}, and closing closes both {@code inner} and the journal. */
    public static PublishingSnapshotter owning(Snapshotter inner, EventJournal journal, String namespace, String snapshotter) {
        return new PublishingSnapshotter(inner, journal, namespace, snapshotter, journal);
    }

    @Override
    public List<Mount> prepare(String key, String parent, SnapshotOption... options) {
        List<Mount> mounts = inner.prepare(key, parent, options);
        publisher.publish(namespace, new Event.SnapshotPrepare(key, parent, snapshotter));
        return mounts;
    }

    @Override
    public void commit(String name, String key, SnapshotOption... options) {
        inner.commit(name, key, options);
        publisher.publish(namespace, new Event.SnapshotCommit(key, name, snapshotter));
    }

    @Override
    public void remove(String key) {
        inner.remove(key);
        publisher.publish(namespace, new Event.SnapshotRemove(key, snapshotter));
    }

    @Override
    public void close() {
        try {
            inner.close();
        } finally {
            if (alsoClose != null) {
                try {
                    alsoClose.close();
                } catch (Exception e) {
                    throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
            }
        }
    }
}
