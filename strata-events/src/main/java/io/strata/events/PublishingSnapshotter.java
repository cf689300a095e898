package io.strata.events;

import io.strata.api.ForwardingSnapshotter;
import io.strata.api.Mount;
import io.strata.api.SnapshotOption;
import io.strata.api.Snapshotter;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A snapshotter that publishes what containerd's snapshot service publishes after each change
 * succeeds: {@code /snapshot/prepare} (not for views), {@code /snapshot/commit} and
 * {@code /snapshot/remove}, in one namespace and naming the snapshotter.
 */
public final class PublishingSnapshotter extends ForwardingSnapshotter {
    private final Snapshotter inner;
    private final Publisher publisher;
    private final UnaryOperator<String> namespaceOf;
    private final UnaryOperator<String> nameOf;
    private final String snapshotter;
    private final AutoCloseable alsoClose;

    /** Publishes to {@code publisher}; closing closes {@code inner} only. */
    public PublishingSnapshotter(Snapshotter inner, Publisher publisher, String namespace, String snapshotter) {
        this(inner, publisher, namespace, snapshotter, null);
    }

    private PublishingSnapshotter(Snapshotter inner, Publisher publisher, String namespace, String snapshotter,
                                  AutoCloseable alsoClose) {
        this(inner, publisher, constant(io.strata.api.Namespaces.validate(namespace)), UnaryOperator.identity(), snapshotter,
                alsoClose);
    }

    private PublishingSnapshotter(Snapshotter inner, Publisher publisher, UnaryOperator<String> namespaceOf,
                                  UnaryOperator<String> nameOf, String snapshotter, AutoCloseable alsoClose) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.namespaceOf = namespaceOf;
        this.nameOf = nameOf;
        this.snapshotter = Objects.requireNonNull(snapshotter, "snapshotter");
        this.alsoClose = alsoClose;
    }

    private static UnaryOperator<String> constant(String namespace) {
        return key -> namespace;
    }

    /**
     * Publishes each change in the namespace its key belongs to ({@code namespaceOf}, a valid
     * namespace for every key), naming keys as that namespace sees them ({@code nameOf}): for a
     * snapshotter whose keys carry their namespace. Closing closes {@code inner} only.
     */
    public static PublishingSnapshotter byKey(Snapshotter inner, Publisher publisher, UnaryOperator<String> namespaceOf,
                                              UnaryOperator<String> nameOf, String snapshotter) {
        return new PublishingSnapshotter(inner, publisher, Objects.requireNonNull(namespaceOf, "namespaceOf"),
                Objects.requireNonNull(nameOf, "nameOf"), snapshotter, null);
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
        publisher.publish(namespaceOf.apply(key), new Event.SnapshotPrepare(nameOf.apply(key),
                parent == null || parent.isEmpty() ? parent : nameOf.apply(parent), snapshotter));
        return mounts;
    }

    @Override
    public void commit(String name, String key, SnapshotOption... options) {
        inner.commit(name, key, options);
        publisher.publish(namespaceOf.apply(key), new Event.SnapshotCommit(nameOf.apply(key), nameOf.apply(name), snapshotter));
    }

    @Override
    public void remove(String key) {
        inner.remove(key);
        publisher.publish(namespaceOf.apply(key), new Event.SnapshotRemove(nameOf.apply(key), snapshotter));
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
