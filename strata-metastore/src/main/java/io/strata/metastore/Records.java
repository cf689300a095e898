package io.strata.metastore;

import io.strata.api.Info;
import io.strata.api.Kind;
import io.strata.api.Usage;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The storage primitives a store provides; {@link ReadOps} and {@link WriteOps} build containerd's
 * semantics on them once, so both stores check and fail identically. Primitives trust their
 * arguments: every check happens above them.
 */
interface Records {

    /** The record of {@code key}, or null. */
    Row find(String key);

    /** The labels of record {@code id}. */
    Map<String, String> labels(long id);

    /** Ids from {@code firstId} up its parent links, nearest first. */
    List<Long> chain(long firstId);

    /** Whether any record has {@code id} as its parent. */
    boolean hasChildren(long id);

    /** Every record as an info, in key order (UTF-8 byte order, as SQLite and bolt sort). */
    List<Info> all();

    /** Every id mapped to its key. */
    Map<Long, String> ids();

    /** The write primitives, available inside a write transaction. */
    interface Writer extends Records {

        /** Inserts a record with a fresh id and returns the id. */
        long insert(Kind kind, String key, long parentId, Map<String, String> labels, Instant now);

        /** Replaces the labels of record {@code id} and sets its updated time. */
        void setLabels(long id, Map<String, String> labels, Instant updated);

        /** Renames record {@code id} to {@code name} as committed on {@code parentId}, with these labels, usage and times. */
        void commit(long id, String name, long parentId, Usage usage, Map<String, String> labels, Instant now);

        /** Deletes record {@code id} and its labels. */
        void delete(long id);
    }
}
