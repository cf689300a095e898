package io.strata.metastore;

import io.strata.api.Kind;
import io.strata.api.Usage;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One committed state of a {@link MemoryMetaStore}. Never changed once published: a write works
 * on copies ({@link MemoryRecords}) and publishes a new state on commit.
 */
final class MemoryState {
    /** UTF-8 byte order, which is code point order: the order of SQLite's BINARY collation and bolt. */
    static final Comparator<String> KEY_ORDER = MemoryState::compareCodePoints;

    static final MemoryState EMPTY = new MemoryState(new TreeMap<>(KEY_ORDER), new HashMap<>(), new HashMap<>(), 0);

    /** One record. {@code parentId} is 0 for none; labels are immutable. */
    record Rec(long id, String key, Kind kind, long parentId, Map<String, String> labels, Instant created,
               Instant updated, Usage usage) {
    }

    final TreeMap<String, Rec> byKey;
    final HashMap<Long, Rec> byId;
    /** Number of children per parent id; absent means none. */
    final HashMap<Long, Integer> children;
    final long lastId;

    MemoryState(TreeMap<String, Rec> byKey, HashMap<Long, Rec> byId, HashMap<Long, Integer> children, long lastId) {
        this.byKey = byKey;
        this.byId = byId;
        this.children = children;
        this.lastId = lastId;
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return (i < a.length() ? 1 : 0) - (j < b.length() ? 1 : 0);
    }
}
