package io.strata.metastore;

import io.strata.api.Info;
import io.strata.api.Kind;
import io.strata.api.Usage;
import io.strata.metastore.MemoryState.Rec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The storage primitives over a {@link MemoryState}. Reads go to the state; the first write
 * copies it (copy-on-write, O(records) once per write transaction), and {@link #toState()} gives
 * the state to publish. Not thread-safe: one transaction uses it.
 */
final class MemoryRecords implements Records.Writer {
    private final MemoryState base;
    private TreeMap<String, Rec> byKey;
    private HashMap<Long, Rec> byId;
    private HashMap<Long, Integer> children;
    private long lastId;
    private boolean copied;

    MemoryRecords(MemoryState base) {
        this.base = base;
        this.byKey = base.byKey;
        this.byId = base.byId;
        this.children = base.children;
        this.lastId = base.lastId;
    }

    /** The state after this transaction's writes (the base itself when nothing was written). */
    MemoryState toState() {
        return copied ? new MemoryState(byKey, byId, children, lastId) : base;
    }

    @Override
    public Row find(String key) {
        Rec r = byKey.get(key);
        return r == null ? null : toRow(r);
    }

    @Override
    public Map<String, String> labels(long id) {
        return byId.get(id).labels();
    }

    @Override
    public List<Long> chain(long firstId) {
        List<Long> ids = new ArrayList<>();
        for (long id = firstId; id != 0; id = byId.get(id).parentId()) {
            ids.add(id);
        }
        return ids;
    }

    @Override
    public boolean hasChildren(long id) {
        return children.containsKey(id);
    }

    @Override
    public List<Info> all() {
        List<Info> infos = new ArrayList<>(byKey.size());
        for (Rec r : byKey.values()) {
            infos.add(ReadOps.toInfo(toRow(r), r.labels()));
        }
        return infos;
    }

    @Override
    public Map<Long, String> ids() {
        Map<Long, String> ids = new HashMap<>();
        byId.forEach((id, r) -> ids.put(id, r.key()));
        return ids;
    }

    @Override
    public long insert(Kind kind, String key, long parentId, Map<String, String> labels, Instant now) {
        mutable();
        long id = ++lastId;
        put(new Rec(id, key, kind, parentId, immutable(labels), now, now, Usage.ZERO));
        if (parentId != 0) {
            children.merge(parentId, 1, Integer::sum);
        }
        return id;
    }

    @Override
    public void setLabels(long id, Map<String, String> labels, Instant updated) {
        mutable();
        Rec r = byId.get(id);
        put(new Rec(id, r.key(), r.kind(), r.parentId(), immutable(labels), r.created(), updated, r.usage()));
    }

    @Override
    public void commit(long id, String name, long parentId, Usage usage, Map<String, String> labels, Instant now) {
        mutable();
        Rec r = byId.get(id);
        byKey.remove(r.key());
        if (parentId != r.parentId()) {
            children.merge(parentId, 1, Integer::sum); // a rebase: only ever from no parent
        }
        put(new Rec(id, name, Kind.COMMITTED, parentId, immutable(labels), now, now, usage));
    }

    @Override
    public void delete(long id) {
        mutable();
        Rec r = byId.remove(id);
        byKey.remove(r.key());
        if (r.parentId() != 0) {
            children.computeIfPresent(r.parentId(), (p, n) -> n == 1 ? null : n - 1);
        }
    }

    private void put(Rec r) {
        byKey.put(r.key(), r);
        byId.put(r.id(), r);
    }

    private Row toRow(Rec r) {
        String parentKey = r.parentId() == 0 ? "" : byId.get(r.parentId()).key();
        return new Row(r.id(), r.key(), r.kind(), r.parentId(), parentKey, r.created(), r.updated(), r.usage());
    }

    private void mutable() {
        if (!copied) {
            byKey = new TreeMap<>(byKey);
            byId = new HashMap<>(byId);
            children = new HashMap<>(children);
            copied = true;
        }
    }

    private static Map<String, String> immutable(Map<String, String> labels) {
        return java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    }
}
