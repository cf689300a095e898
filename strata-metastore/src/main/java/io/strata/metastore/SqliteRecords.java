package io.strata.metastore;

import io.strata.api.Info;
import io.strata.api.InternalException;
import io.strata.api.Kind;
import io.strata.api.Usage;
import io.strata.sqlite.SqliteConnection;
import io.strata.sqlite.SqliteErrors;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The storage primitives as SQL on one connection, inside the transaction its caller opened. */
final class SqliteRecords implements Records.Writer {
    private static final String FIND = """
            SELECT s.id, s.kind, s.parent_id, p.key, s.created_ns, s.updated_ns, s.size, s.inodes
            FROM snapshots s LEFT JOIN snapshots p ON p.id = s.parent_id WHERE s.key = ?""";
    private static final String LABELS = "SELECT name, value FROM labels WHERE snapshot_id = ?";
    private static final String CHAIN = """
            WITH RECURSIVE chain(id, parent_id, depth) AS (
                SELECT id, parent_id, 0 FROM snapshots WHERE id = ?
                UNION ALL
                SELECT s.id, s.parent_id, c.depth + 1 FROM snapshots s JOIN chain c ON s.id = c.parent_id)
            SELECT id FROM chain ORDER BY depth""";
    private static final String HAS_CHILDREN = "SELECT 1 FROM snapshots WHERE parent_id = ? LIMIT 1";
    private static final String ALL = """
            SELECT s.id, s.key, s.kind, p.key, s.created_ns, s.updated_ns
            FROM snapshots s LEFT JOIN snapshots p ON p.id = s.parent_id ORDER BY s.key""";
    private static final String ALL_LABELS = "SELECT snapshot_id, name, value FROM labels";
    private static final String IDS = "SELECT id, key FROM snapshots";
    private static final String INSERT = """
            INSERT INTO snapshots (key, kind, parent_id, created_ns, updated_ns) VALUES (?, ?, ?, ?, ?)""";
    private static final String LAST_ID = "SELECT last_insert_rowid()";
    private static final String INSERT_LABEL = "INSERT INTO labels (snapshot_id, name, value) VALUES (?, ?, ?)";
    private static final String DELETE_LABELS = "DELETE FROM labels WHERE snapshot_id = ?";
    private static final String TOUCH = "UPDATE snapshots SET updated_ns = ? WHERE id = ?";
    private static final String COMMIT = """
            UPDATE snapshots SET key = ?, kind = ?, created_ns = ?, updated_ns = ?, size = ?, inodes = ?, parent_id = ?
            WHERE id = ?""";
    private static final String DELETE = "DELETE FROM snapshots WHERE id = ?";

    private final SqliteConnection conn;

    SqliteRecords(SqliteConnection conn) {
        this.conn = conn;
    }

    @Override
    public Row find(String key) {
        try {
            PreparedStatement ps = conn.prepare(FIND);
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String parentKey = rs.getString(4);
                return new Row(rs.getLong(1), key, kind(rs.getInt(2)), rs.getLong(3), parentKey == null ? "" : parentKey,
                        instant(rs.getLong(5)), instant(rs.getLong(6)), new Usage(rs.getLong(7), rs.getLong(8)));
            }
        } catch (SQLException e) {
            throw failed("look up snapshot " + key, e);
        }
    }

    @Override
    public Map<String, String> labels(long id) {
        try {
            PreparedStatement ps = conn.prepare(LABELS);
            ps.setLong(1, id);
            Map<String, String> labels = new TreeMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    labels.put(rs.getString(1), rs.getString(2));
                }
            }
            return labels;
        } catch (SQLException e) {
            throw failed("read labels", e);
        }
    }

    @Override
    public List<Long> chain(long firstId) {
        try {
            PreparedStatement ps = conn.prepare(CHAIN);
            ps.setLong(1, firstId);
            List<Long> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw failed("read parent chain", e);
        }
    }

    @Override
    public boolean hasChildren(long id) {
        try {
            PreparedStatement ps = conn.prepare(HAS_CHILDREN);
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw failed("look up children", e);
        }
    }

    @Override
    public List<Info> all() {
        try {
            Map<Long, Map<String, String>> labels = new HashMap<>();
            try (ResultSet rs = conn.prepare(ALL_LABELS).executeQuery()) {
                while (rs.next()) {
                    labels.computeIfAbsent(rs.getLong(1), id -> new HashMap<>()).put(rs.getString(2), rs.getString(3));
                }
            }
            List<Info> infos = new ArrayList<>();
            try (ResultSet rs = conn.prepare(ALL).executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    String parentKey = rs.getString(4);
                    Row row = new Row(id, rs.getString(2), kind(rs.getInt(3)), 0, parentKey == null ? "" : parentKey,
                            instant(rs.getLong(5)), instant(rs.getLong(6)), Usage.ZERO);
                    infos.add(ReadOps.toInfo(row, labels.getOrDefault(id, Map.of())));
                }
            }
            return infos;
        } catch (SQLException e) {
            throw failed("list snapshots", e);
        }
    }

    @Override
    public Map<Long, String> ids() {
        try (ResultSet rs = conn.prepare(IDS).executeQuery()) {
            Map<Long, String> ids = new HashMap<>();
            while (rs.next()) {
                ids.put(rs.getLong(1), rs.getString(2));
            }
            return ids;
        } catch (SQLException e) {
            throw failed("list snapshot ids", e);
        }
    }

    @Override
    public long insert(Kind kind, String key, long parentId, Map<String, String> labels, Instant now) {
        try {
            PreparedStatement ps = conn.prepare(INSERT);
            long ns = nanos(now);
            ps.setString(1, key);
            ps.setInt(2, code(kind));
            if (parentId == 0) {
                ps.setNull(3, Types.INTEGER);
            } else {
                ps.setLong(3, parentId);
            }
            ps.setLong(4, ns);
            ps.setLong(5, ns);
            ps.executeUpdate();
            long id;
            try (ResultSet rs = conn.prepare(LAST_ID).executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            insertLabels(id, labels);
            return id;
        } catch (SQLException e) {
            throw failed("insert snapshot " + key, e);
        }
    }

    @Override
    public void setLabels(long id, Map<String, String> labels, Instant updated) {
        try {
            PreparedStatement ps = conn.prepare(TOUCH);
            ps.setLong(1, nanos(updated));
            ps.setLong(2, id);
            ps.executeUpdate();
            replaceLabels(id, labels);
        } catch (SQLException e) {
            throw failed("update labels", e);
        }
    }

    @Override
    public void commit(long id, String name, long parentId, Usage usage, Map<String, String> labels, Instant now) {
        try {
            PreparedStatement ps = conn.prepare(COMMIT);
            long ns = nanos(now);
            ps.setString(1, name);
            ps.setInt(2, code(Kind.COMMITTED));
            ps.setLong(3, ns);
            ps.setLong(4, ns);
            ps.setLong(5, usage.size());
            ps.setLong(6, usage.inodes());
            if (parentId == 0) {
                ps.setNull(7, Types.INTEGER);
            } else {
                ps.setLong(7, parentId);
            }
            ps.setLong(8, id);
            ps.executeUpdate();
            replaceLabels(id, labels);
        } catch (SQLException e) {
            throw failed("commit snapshot " + name, e);
        }
    }

    @Override
    public void delete(long id) {
        try {
            PreparedStatement ps = conn.prepare(DELETE);
            ps.setLong(1, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failed("delete snapshot", e);
        }
    }

    private void replaceLabels(long id, Map<String, String> labels) throws SQLException {
        PreparedStatement ps = conn.prepare(DELETE_LABELS);
        ps.setLong(1, id);
        ps.executeUpdate();
        insertLabels(id, labels);
    }

    private void insertLabels(long id, Map<String, String> labels) throws SQLException {
        if (labels.isEmpty()) {
            return;
        }
        PreparedStatement ps = conn.prepare(INSERT_LABEL);
        for (var e : labels.entrySet()) {
            ps.setLong(1, id);
            ps.setString(2, e.getKey());
            ps.setString(3, e.getValue());
            ps.executeUpdate();
        }
    }

    /** containerd's numbers for the kinds. */
    static int code(Kind kind) {
        return switch (kind) {
            case VIEW -> 1;
            case ACTIVE -> 2;
            case COMMITTED -> 3;
        };
    }

    static Kind kind(int code) {
        return switch (code) {
            case 1 -> Kind.VIEW;
            case 2 -> Kind.ACTIVE;
            case 3 -> Kind.COMMITTED;
            default -> throw new InternalException("metastore holds an unknown snapshot kind " + code);
        };
    }

    static long nanos(Instant t) {
        try {
            return io.strata.api.EpochNanos.of(t);
        } catch (ArithmeticException e) {
            throw new InternalException("time " + t + " is outside what the metastore can store", e);
        }
    }

    static Instant instant(long nanos) {
        return io.strata.api.EpochNanos.toInstant(nanos);
    }

    static io.strata.api.StrataException failed(String what, SQLException e) {
        return SqliteErrors.translate("metastore", what, e);
    }
}
