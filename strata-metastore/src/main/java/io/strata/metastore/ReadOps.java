package io.strata.metastore;

import io.strata.api.FailedPreconditionException;
import io.strata.api.Info;
import io.strata.api.Kind;
import io.strata.api.NotFoundException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** containerd's read semantics over {@link Records}; usable only while its transaction is open. */
class ReadOps implements ReadTx {
    private final Records records;
    private volatile boolean ended;

    ReadOps(Records records) {
        this.records = records;
    }

    /** Makes every later call fail: the transaction is over. */
    final void end() {
        ended = true;
    }

    final void checkOpen() {
        if (ended) {
            throw new IllegalStateException("transaction has ended");
        }
    }

    @Override
    public StoredInfo info(String key) {
        checkOpen();
        Row row = require(key);
        return new StoredInfo(row.id(), toInfo(row, records.labels(row.id())), row.usage());
    }

    @Override
    public SnapshotRef snapshot(String key) {
        checkOpen();
        Row row = require(key);
        if (row.kind() == Kind.COMMITTED) {
            throw new FailedPreconditionException("requested snapshot " + key + " not active or view");
        }
        List<Long> parents = row.parentId() == 0 ? List.of() : records.chain(row.parentId());
        return new SnapshotRef(row.id(), row.kind(), parents);
    }

    @Override
    public void walk(Predicate<Info> filter, Consumer<Info> fn) {
        checkOpen();
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(fn, "fn");
        // Filter first, then call back: fn may use this transaction again.
        List<Info> matching = records.all().stream().filter(filter).toList();
        matching.forEach(fn);
    }

    @Override
    public Map<Long, String> idMap() {
        checkOpen();
        return Map.copyOf(records.ids());
    }

    /** The row of {@code key}, or NotFound. */
    final Row require(String key) {
        Objects.requireNonNull(key, "key");
        Row row = records.find(key);
        if (row == null) {
            throw new NotFoundException("snapshot " + key + ": not found");
        }
        return row;
    }

    static Info toInfo(Row row, Map<String, String> labels) {
        return new Info(row.key(), row.kind(), Optional.of(row.parentKey()), labels, row.created(), row.updated());
    }
}
