package io.strata.metastore;

import io.strata.api.AlreadyExistsException;
import io.strata.api.FailedPreconditionException;
import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.Kind;
import io.strata.api.NotFoundException;
import io.strata.api.Usage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * containerd's write semantics ({@code core/snapshots/storage/bolt.go}) over
 * {@link Records.Writer}, checked in bolt's order. Where the {@link WriteTx} Javadoc differs from
 * bolt it wins: a parent that is not committed is a FailedPrecondition, and {@code labels.K} deletes
 * K when the given info has no such label.
 */
final class WriteOps extends ReadOps implements WriteTx {
    private final Records.Writer records;
    private final Clock clock;
    private final List<Runnable> undo = new ArrayList<>();

    WriteOps(Records.Writer records, Clock clock) {
        super(records);
        this.records = records;
        this.clock = clock;
    }

    @Override
    public SnapshotRef create(Kind kind, String key, String parent, Map<String, String> labels) {
        checkOpen();
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.COMMITTED) {
            throw new InvalidArgumentException("snapshot type " + kind
                    + " invalid; only snapshots of type active or view can be created");
        }
        Validation.key("key", key);
        Validation.labels(labels);
        long parentId = 0;
        if (parent != null && !parent.isEmpty()) {
            Row p = records.find(parent);
            if (p == null) {
                throw new NotFoundException("missing parent " + Validation.quote(parent) + ": not found");
            }
            if (p.kind() != Kind.COMMITTED) {
                throw new FailedPreconditionException("parent " + Validation.quote(parent) + " is not committed snapshot");
            }
            parentId = p.id();
        }
        if (records.find(key) != null) {
            throw new AlreadyExistsException("snapshot " + key + ": already exists");
        }
        long id = records.insert(kind, key, parentId, labels, clock.instant());
        return new SnapshotRef(id, kind, parentId == 0 ? List.of() : records.chain(parentId));
    }

    @Override
    public Info update(String key, Map<String, String> labels, String... fieldPaths) {
        checkOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(labels, "labels");
        Row row = require(key);
        Map<String, String> result = new TreeMap<>(records.labels(row.id()));
        if (fieldPaths == null || fieldPaths.length == 0) {
            result = new TreeMap<>(labels);
        } else {
            for (String path : fieldPaths) {
                if (path.startsWith("labels.")) {
                    String k = path.substring("labels.".length());
                    String v = labels.get(k);
                    if (v == null) {
                        result.remove(k);
                    } else {
                        result.put(k, v);
                    }
                } else if (path.equals("labels")) {
                    result = new TreeMap<>(labels);
                } else {
                    throw new InvalidArgumentException("cannot update " + Validation.quote(path)
                            + " field on snapshot " + Validation.quote(key));
                }
            }
        }
        Validation.labels(result);
        Instant now = clock.instant();
        records.setLabels(row.id(), result, now);
        return new Info(row.key(), row.kind(), Optional.of(row.parentKey()), result, row.created(), now);
    }

    @Override
    public long commit(String key, String name, String parent, Usage usage, Map<String, String> labels) {
        checkOpen();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(usage, "usage");
        Validation.key("name", name);
        Validation.labels(labels);
        if (records.find(name) != null) {
            throw new AlreadyExistsException("committed snapshot " + name + ": already exists");
        }
        Row row = require(key);
        if (row.kind() != Kind.ACTIVE) {
            throw new FailedPreconditionException("snapshot " + Validation.quote(key) + " is not active");
        }
        long parentId = row.parentId();
        if (parent != null && !parent.isEmpty() && !parent.equals(row.parentKey())) {
            if (parentId != 0) {
                throw new InvalidArgumentException("cannot change parent of active snapshot "
                        + Validation.quote(key) + " on commit");
            }
            Row p = records.find(parent);
            if (p == null) {
                throw new NotFoundException("missing parent " + Validation.quote(parent) + " of snapshot "
                        + Validation.quote(key) + ": not found");
            }
            if (p.kind() != Kind.COMMITTED) {
                throw new FailedPreconditionException("parent " + Validation.quote(parent) + " is not committed");
            }
            parentId = p.id();
        }
        records.commit(row.id(), name, parentId, usage, labels, clock.instant());
        return row.id();
    }

    @Override
    public Removed remove(String key) {
        checkOpen();
        Row row = require(key);
        if (records.hasChildren(row.id())) {
            throw new FailedPreconditionException("cannot remove snapshot with child");
        }
        records.delete(row.id());
        return new Removed(row.id(), row.kind());
    }

    @Override
    public void onRollback(Runnable action) {
        checkOpen();
        undo.add(Objects.requireNonNull(action, "action"));
    }

    /** The registered rollback actions, in registration order. */
    List<Runnable> rollbackActions() {
        return undo;
    }
}
