package io.strata.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A snapshotter turns a stack of layers into mountable directory trees, with containerd's
 * snapshot semantics.
 *
 * <h2>Glossary</h2>
 * <dl>
 *   <dt>key</dt><dd>The caller's name for an active or view snapshot. Keys and committed names
 *       share one space: a key may not equal any existing key or name.</dd>
 *   <dt>parent</dt><dd>The committed snapshot a new snapshot starts from; "" for none. Only
 *       committed snapshots can be parents.</dd>
 *   <dt>active</dt><dd>A writable snapshot made by {@link #prepare}. Mount it, change files,
 *       then {@link #commit} it or {@link #remove} it.</dd>
 *   <dt>view</dt><dd>A read-only snapshot of a parent made by {@link #view}; never committable.</dd>
 *   <dt>committed</dt><dd>An immutable snapshot made by {@link #commit}; may be a parent of
 *       others; removable only when it has no children.</dd>
 * </dl>
 *
 * <h2>Lifecycle</h2>
 * <pre>
 *   prepare(key, parent) ──► active ──commit(name, key)──► committed(name) ──► parent of more
 *   view(key, parent)    ──► view (read-only)
 *   remove(key|name)     ──► gone (fails while children exist); disk space may be freed by cleanup()
 * </pre>
 * A typical layer unpack: {@code prepare("extract-1", parentChain)}, mount, apply the layer,
 * unmount, {@code commit(chainId, "extract-1")}.
 *
 * <h2>Guarantees</h2>
 * Every method is thread-safe. A method that returns has made its change durable; a method that
 * throws has changed nothing. Errors are always one of the {@link StrataException} subclasses:
 * {@link NotFoundException}, {@link AlreadyExistsException}, {@link FailedPreconditionException},
 * {@link InvalidArgumentException}, {@link UnavailableException} (closed) or
 * {@link InternalException} (I/O below the API).
 */
public interface Snapshotter extends AutoCloseable {

    /**
     * containerd's snapshotter capability {@code rebase}: {@link #commit} accepts a
     * {@link SnapshotOption#parent} for an active snapshot prepared without one, so layers can be
     * unpacked in parallel and stacked at commit.
     */
    String REBASE = "rebase";

    /** The containerd capabilities this snapshotter has, such as {@link #REBASE}; none by default. */
    default Set<String> capabilities() {
        return Set.of();
    }

    /** Returns the info of the snapshot with this key or name. */
    Info stat(String key);

    /**
     * Changes the labels of snapshot {@code key} (a key, or a committed snapshot's name). With no
     * field paths all labels are replaced by {@code labels}; {@code labels} does the same;
     * {@code labels.K} sets (or, when absent from {@code labels}, deletes) label K only. Any other
     * path is an {@link InvalidArgumentException}: labels are the only thing an update changes.
     * Returns the stored info, with a new {@code updated} time.
     */
    Info update(String key, Map<String, String> labels, String... fieldPaths);

    /**
     * containerd's form of {@link #update(String, Map, String...)}, for a caller holding an info
     * (typically a {@link #stat} result with changed labels): only its name and labels are read.
     */
    default Info update(Info info, String... fieldPaths) {
        return update(info.name(), info.labels(), fieldPaths);
    }

    /** Returns the usage: stored at commit for committed snapshots, measured now for the others. */
    Usage usage(String key);

    /** Returns the mounts of an active or view snapshot (committed ones have none). */
    List<Mount> mounts(String key);

    /**
     * Creates an active snapshot {@code key} on {@code parent} ("" for none) and returns its mounts.
     *
     * @throws AlreadyExistsException      if the key is taken
     * @throws NotFoundException           if the parent does not exist
     * @throws FailedPreconditionException if the parent is not committed
     * @throws InvalidArgumentException    for an empty or over-long key or over-size labels
     */
    List<Mount> prepare(String key, String parent, SnapshotOption... options);

    /** Like {@link #prepare} but read-only and never committable. */
    List<Mount> view(String key, String parent, SnapshotOption... options);

    /**
     * Commits active snapshot {@code key} as {@code name}: the key disappears and {@code name}
     * appears as committed, with the same parent, the labels given here (not inherited), and its
     * usage measured now. A {@link SnapshotOption#parent} naming the parent {@code key} already has
     * changes nothing; one given to a snapshot prepared without a parent rebases it onto that
     * parent, on snapshotters with the {@link #REBASE} capability.
     *
     * @throws NotFoundException           if there is no snapshot {@code key}, or no such parent
     * @throws FailedPreconditionException if {@code key} is not active (a view or committed), or
     *                                     the parent is not committed
     * @throws AlreadyExistsException      if {@code name} is taken
     * @throws InvalidArgumentException    if the parent option would change an existing parent, or
     *                                     the snapshotter cannot rebase
     */
    void commit(String name, String key, SnapshotOption... options);

    /**
     * Removes the snapshot with this key or name.
     *
     * @throws NotFoundException           if it does not exist
     * @throws FailedPreconditionException if it has children
     */
    void remove(String key);

    /**
     * Calls {@code fn} for every snapshot matching any of {@code filters} (all snapshots when none
     * is given). Filters use containerd's syntax, for example {@code kind==committed},
     * {@code parent==base}, {@code name~="^sha256:"}, {@code labels."containerd.io/gc.root"}.
     *
     * @throws InvalidArgumentException for a filter that does not parse
     */
    void walk(Consumer<Info> fn, String... filters);

    /** Collects {@link #walk} into a list. */
    default List<Info> list(String... filters) {
        List<Info> out = new ArrayList<>();
        walk(out::add, filters);
        return out;
    }

    /**
     * Frees the disk space of removed snapshots and of orphans left by crashes. Safe to call at
     * any time; a no-op when there is nothing to free.
     */
    void cleanup();

    /** Releases the store. Idempotent; afterwards every call throws {@link UnavailableException}. */
    @Override
    void close();
}
