package io.strata.metastore;

import io.strata.api.Info;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Reads inside a transaction. All lookups are by key (or committed name). */
public interface ReadTx {

    /**
     * The stored record of {@code key}.
     *
     * @throws io.strata.api.NotFoundException if there is none
     */
    StoredInfo info(String key);

    /**
     * The id, kind and parent chain of an active or view snapshot, for building its mounts.
     *
     * @throws io.strata.api.NotFoundException           if there is no snapshot {@code key}
     * @throws io.strata.api.FailedPreconditionException if it is committed
     */
    SnapshotRef snapshot(String key);

    /** Calls {@code fn} with every info that {@code filter} accepts, in key order. */
    void walk(Predicate<Info> filter, Consumer<Info> fn);

    /** Every stored id mapped to its key, for cleanup to tell live directories from orphans. */
    Map<Long, String> idMap();
}
