package io.strata.metastore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** One SQLite connection with its prepared statements cached by SQL text. Used by one thread at a time. */
final class SqlConn implements AutoCloseable {
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    SqlConn(Connection connection) {
        this.connection = connection;
    }

    /** The cached statement for {@code sql}; callers set every parameter and close result sets. */
    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    /** Runs a statement without parameters or results, such as {@code BEGIN IMMEDIATE}. */
    void run(String sql) throws SQLException {
        prepare(sql).execute();
    }

    Connection connection() {
        return connection;
    }

    /** Closes the statements and the connection, reporting the first failure. */
    @Override
    public void close() throws SQLException {
        SQLException first = null;
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException e) {
                first = first == null ? e : first;
            }
        }
        statements.clear();
        try {
            connection.close();
        } catch (SQLException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }
}
