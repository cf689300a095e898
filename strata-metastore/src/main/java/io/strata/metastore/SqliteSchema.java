package io.strata.metastore;

import io.strata.api.InternalException;
import io.strata.sqlite.SqliteConnection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The database layout, versioned with {@code PRAGMA user_version} and marked as ours with
 * {@code PRAGMA application_id}. Version 1:
 * <ul>
 *   <li>{@code snapshots}: one row per snapshot; {@code AUTOINCREMENT} so that an id is never
 *       handed out again, even after the row with the highest id is deleted; {@code kind} uses
 *       containerd's numbers (1 view, 2 active, 3 committed); times in epoch nanoseconds.</li>
 *   <li>{@code labels}: one row per label, deleted with its snapshot.</li>
 * </ul>
 */
final class SqliteSchema {
    static final int VERSION = 1;
    /** "STRA". */
    static final int APPLICATION_ID = 0x53545241;

    private static final String[] V1 = {
        """
        CREATE TABLE snapshots (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            key        TEXT    NOT NULL UNIQUE,
            kind       INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),
            parent_id  INTEGER REFERENCES snapshots(id),
            created_ns INTEGER NOT NULL,
            updated_ns INTEGER NOT NULL,
            size       INTEGER NOT NULL DEFAULT 0,
            inodes     INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX snapshots_parent ON snapshots(parent_id)",
        """
        CREATE TABLE labels (
            snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
            name        TEXT    NOT NULL,
            value       TEXT    NOT NULL,
            PRIMARY KEY (snapshot_id, name)
        ) WITHOUT ROWID""",
        "PRAGMA application_id = " + APPLICATION_ID,
        "PRAGMA user_version = " + VERSION,
    };

    private SqliteSchema() {
    }

    /** Creates the schema in an empty database, or checks that the database has ours. */
    static void migrate(SqliteConnection conn) throws SQLException {
        try (Statement st = conn.connection().createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            try {
                int version = intPragma(st, "user_version");
                int appId = intPragma(st, "application_id");
                if (version == 0 && appId == 0 && tableCount(st) == 0) {
                    for (String sql : V1) {
                        st.execute(sql);
                    }
                } else if (appId != APPLICATION_ID) {
                    throw new InternalException("not a Strata metastore (application_id " + appId + ")");
                } else if (version != VERSION) {
                    throw new InternalException("metastore schema version " + version
                            + " is not supported (this build reads version " + VERSION + ")");
                }
                st.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                try {
                    st.execute("ROLLBACK");
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            }
        }
    }

    private static int intPragma(Statement st, String name) throws SQLException {
        try (ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static int tableCount(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_schema")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
