package io.strata.metastore;

import io.strata.sqlite.SqliteConnection;
import java.sql.SQLException;
import java.util.ArrayDeque;

/**
 * Read connections, reused. Never blocks: when none is idle a new one is opened, and at most
 * {@link #MAX_IDLE} are kept. Connections handed back after {@link #close()} are closed.
 */
final class ReadPool {
    private static final System.Logger LOG = System.getLogger(ReadPool.class.getName());
    static final int MAX_IDLE = 4;

    private final SqliteConnector connector;
    private final ArrayDeque<SqliteConnection> idle = new ArrayDeque<>();
    private boolean closed;

    ReadPool(SqliteConnector connector) {
        this.connector = connector;
    }

    SqliteConnection take() throws SQLException {
        synchronized (this) {
            SqliteConnection c = idle.poll();
            if (c != null) {
                return c;
            }
        }
        return connector.openReader();
    }

    /** Returns a connection that is not in a transaction, or discards a broken one when {@code healthy} is false. */
    void give(SqliteConnection conn, boolean healthy) {
        synchronized (this) {
            if (healthy && !closed && idle.size() < MAX_IDLE) {
                idle.push(conn);
                return;
            }
        }
        closeQuietly(conn);
    }

    void close() {
        synchronized (this) {
            closed = true;
            while (!idle.isEmpty()) {
                closeQuietly(idle.pop());
            }
        }
    }

    static void closeQuietly(SqliteConnection conn) {
        try {
            conn.close();
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "failed to close a metastore connection", e);
        }
    }
}
