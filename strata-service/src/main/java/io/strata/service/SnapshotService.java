package io.strata.service;

import io.strata.api.InvalidArgumentException;
import io.strata.api.Namespaces;
import io.strata.api.Snapshotter;
import io.strata.events.Publisher;
import io.strata.events.PublishingSnapshotter;
import java.util.Objects;
import java.util.function.Function;

/**
 * The snapshot service: what the daemon, the CLI and {@code Strata.open} hand out for a backend,
 * composed in this one place. {@link #snapshotter} is one namespace's isolated view that publishes
 * containerd's snapshot events in that namespace; {@link #asStored} is every namespace's keys as
 * stored (what containerd, which puts the namespace into its keys itself, and garbage collection
 * need), still publishing.
 *
 * <p>The service opens and closes nothing: the backends come from {@code backends}, and whoever
 * opened them closes them. Closing a snapshotter it hands out leaves the backend open.
 */
public final class SnapshotService {
    private final Function<String, Snapshotter> backends;
    private final Publisher events;

    /**
     * A service over the backends {@code backends} gives by name (null for a name it does not
     * serve), publishing to {@code events} ({@link Publisher#NONE} for none).
     */
    public SnapshotService(Function<String, Snapshotter> backends, Publisher events) {
        this.backends = Objects.requireNonNull(backends, "backends");
        this.events = Objects.requireNonNull(events, "events");
    }

    /**
     * Backend {@code name} as namespace {@code namespace} sees it ({@link Namespaces#DEFAULT} when
     * null or empty): its own keys only, each change published in that namespace.
     *
     * @throws InvalidArgumentException if the namespace is not a containerd identifier or no backend has that name
     */
    public Snapshotter snapshotter(String namespace, String name) {
        String ns = namespace == null || namespace.isEmpty() ? Namespaces.DEFAULT : Namespaces.validate(namespace);
        return publishing(new NamespacedSnapshotter(backend(name), ns), ns, name);
    }

    /**
     * Backend {@code name} with its keys as stored, every namespace's; changes are published in
     * {@code eventNamespace} (the default namespace when it is not a valid name).
     *
     * @throws InvalidArgumentException if no backend has that name
     */
    public Snapshotter asStored(String eventNamespace, String name) {
        String ns = Namespaces.isValid(eventNamespace) ? eventNamespace : Namespaces.DEFAULT;
        return publishing(new Forwarding(backend(name), () -> { }), ns, name);
    }

    /**
     * Backend {@code name} with its keys as stored, every namespace's; each change is published in
     * the namespace its key belongs to, under the name it has there ({@link StoredKeys}). What
     * garbage collection, which works across namespaces, uses.
     *
     * @throws InvalidArgumentException if no backend has that name
     */
    public Snapshotter acrossNamespaces(String name) {
        Snapshotter sn = backend(name);
        Snapshotter stored = new Forwarding(sn, () -> { });
        return events == Publisher.NONE ? stored
                : PublishingSnapshotter.byKey(stored, events, StoredKeys::namespaceOf, StoredKeys::nameOf, name);
    }

    /**
     * {@code view} for a holder that owns what it was made from: closing it closes {@code view},
     * then each of {@code owned} in order (a failure to close one does not keep the rest open; the
     * first failure is thrown, the others added to it).
     */
    public static Snapshotter closing(Snapshotter view, AutoCloseable... owned) {
        return new Forwarding(view, () -> {
            RuntimeException failed = null;
            for (AutoCloseable c : prepend(view, owned)) {
                try {
                    c.close();
                } catch (Exception e) {
                    RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                    if (failed == null) {
                        failed = r;
                    } else {
                        failed.addSuppressed(r);
                    }
                }
            }
            if (failed != null) {
                throw failed;
            }
        });
    }

    private static AutoCloseable[] prepend(AutoCloseable first, AutoCloseable... rest) {
        AutoCloseable[] all = new AutoCloseable[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private Snapshotter publishing(Snapshotter sn, String ns, String name) {
        return events == Publisher.NONE ? sn : new PublishingSnapshotter(sn, events, ns, name);
    }

    private Snapshotter backend(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidArgumentException("snapshotter argument missing");
        }
        Snapshotter sn = backends.apply(name);
        if (sn == null) {
            throw new InvalidArgumentException("snapshotter not loaded: " + name);
        }
        return sn;
    }
}
