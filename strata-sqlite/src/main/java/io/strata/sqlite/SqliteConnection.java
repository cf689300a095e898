package io.strata.sqlite;

import io.strata.api.AlreadyExistsException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * One SQLite connection as Strata's stores use it: prepared statements cached by SQL text, and
 * the one shape of a transaction ({@code BEGIN IMMEDIATE} for writes, so a writer never upgrades a
 * read lock and deadlocks; {@code ROLLBACK} whenever the work throws). Used by one thread at a time.
 */
public final class SqliteConnection implements AutoCloseable {
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    /** Work inside a transaction on this connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(SqliteConnection c) throws SQLException;
    }

    public SqliteConnection(Connection connection) {
        this.connection = connection;
    }

    /** The cached statement for {@code sql}; callers set every parameter, close result sets and never the statement. */
    public PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    /** Runs a statement without parameters or results, such as {@code BEGIN IMMEDIATE}. */
    public void run(String sql) throws SQLException {
        prepare(sql).execute();
    }

    /** Starts a read transaction: the reads until {@link #rollback} see one snapshot of the database. */
    public void beginRead() throws SQLException {
        run("BEGIN");
    }

    /** Starts a write transaction, taking the write lock now rather than at the first write. */
    public void beginWrite() throws SQLException {
        run("BEGIN IMMEDIATE");
    }

    public void commit() throws SQLException {
        run("COMMIT");
    }

    public void rollback() throws SQLException {
        run("ROLLBACK");
    }

    /**
     * Runs {@code work} in one write transaction and commits it; rolls back if it throws. SQLite's
     * failures come out as Strata's errors naming {@code store} ({@link SqliteErrors}); unchecked
     * exceptions of the work pass unchanged.
     */
    public <T> T write(String store, Work<T> work) {
        try {
            beginWrite();
        } catch (SQLException e) {
            throw SqliteErrors.translate(store, "begin a write transaction", e);
        }
        try {
            T result = work.run(this);
            commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            // A statement that failed mid-transaction can be left unusable ("statement is not
            // executing" on its next run): start the next transaction with fresh ones.
            forgetStatements();
            try (Statement st = connection.createStatement()) {
                st.execute("ROLLBACK");
            } catch (SQLException gone) {
                e.addSuppressed(gone); // SQLite rolls back by itself on some errors, a full disk among them
            }
            throw e instanceof SQLException sql ? SqliteErrors.translate(store, "write", sql) : (RuntimeException) e;
        }
    }

    /**
     * Runs an insert, update or delete with {@code args} as its parameters and returns the rows
     * changed. A row that breaks a unique key is {@link AlreadyExistsException}.
     */
    public int update(String sql, Object... args) throws SQLException {
        PreparedStatement ps = prepare(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        try {
            return ps.executeUpdate();
        } catch (SQLiteException e) {
            if (e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                    || e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY) {
                throw new AlreadyExistsException(e.getMessage());
            }
            throw e;
        }
    }

    /** The JDBC connection, for statements run once (pragmas, schema). */
    public Connection connection() {
        return connection;
    }

    private SQLException forgetStatements() {
        SQLException first = null;
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException e) {
                first = first == null ? e : first;
            }
        }
        statements.clear();
        return first;
    }

    /** Closes the statements and the connection, reporting the first failure. */
    @Override
    public void close() throws SQLException {
        SQLException first = forgetStatements();
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
