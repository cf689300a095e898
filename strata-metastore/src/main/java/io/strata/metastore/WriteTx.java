package io.strata.metastore;

import io.strata.api.Info;
import io.strata.api.Kind;
import io.strata.api.Usage;
import java.util.Map;

/** Changes inside a write transaction, with containerd's storage semantics. */
public interface WriteTx extends ReadTx {

    /**
     * Inserts an active or view snapshot with a fresh id (ids are never reused once committed).
     * Created and updated are the same instant.
     *
     * @param parent "" for none, else the name of a committed snapshot
     * @throws io.strata.api.InvalidArgumentException   if {@code kind} is committed
     * @throws io.strata.api.NotFoundException           if the parent does not exist
     * @throws io.strata.api.FailedPreconditionException if the parent is not committed
     * @throws io.strata.api.AlreadyExistsException      if {@code key} is taken by any snapshot
     */
    SnapshotRef create(Kind kind, String key, String parent, Map<String, String> labels);

    /**
     * Updates labels only. No field paths or {@code labels}: replace all; {@code labels.K}: set or
     * delete label K. Sets {@code updated} to now.
     *
     * @throws io.strata.api.NotFoundException        if there is no snapshot {@code key}
     * @throws io.strata.api.InvalidArgumentException for any other field path
     */
    Info update(String key, Map<String, String> labels, String... fieldPaths);

    /**
     * Turns active {@code key} into committed {@code name}: same id and parent, the given labels
     * (not inherited), the given usage, created = updated = now. Returns the id.
     *
     * @throws io.strata.api.NotFoundException           if there is no snapshot {@code key}
     * @throws io.strata.api.FailedPreconditionException if {@code key} is not active
     * @throws io.strata.api.AlreadyExistsException      if {@code name} is taken
     */
    default long commit(String key, String name, Usage usage, Map<String, String> labels) {
        return commit(key, name, "", usage, labels);
    }

    /**
     * Like {@link #commit(String, String, Usage, Map)}, and rebases as containerd 2.2's bolt store
     * does: an active snapshot prepared without a parent gets {@code parent} ("" keeps the parent it
     * has); naming the parent it already has is allowed, any other is refused.
     *
     * @throws io.strata.api.InvalidArgumentException   if {@code key} has a parent other than {@code parent}
     * @throws io.strata.api.NotFoundException          if {@code parent} does not exist
     * @throws io.strata.api.FailedPreconditionException if {@code parent} is not committed
     */
    long commit(String key, String name, String parent, Usage usage, Map<String, String> labels);

    /**
     * Deletes the record of {@code key}.
     *
     * @throws io.strata.api.NotFoundException           if there is none
     * @throws io.strata.api.FailedPreconditionException if it has children
     */
    Removed remove(String key);

    /**
     * Registers an action to run if this transaction does not commit (work threw, or the commit
     * itself failed). Actions run in reverse order of registration; their own failures are logged,
     * not thrown.
     */
    void onRollback(Runnable undo);

    /** What {@link #remove} deleted. */
    record Removed(long id, Kind kind) {
    }
}
