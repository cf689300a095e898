package io.strata.metastore;

import io.strata.api.InternalException;
import io.strata.sqlite.SqliteConnection;
import io.strata.sqlite.SqliteFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The durable {@link MetaStore}: one SQLite database file in WAL mode.
 *
 * <p>Guarantees: a write that returned is on disk ({@code synchronous=FULL}, unless opened with
 * {@link Durability#NONE}); writes are serialised on one connection ({@code BEGIN IMMEDIATE} …
 * {@code COMMIT}); reads run on their own connections, concurrently with each other and with a
 * write, each seeing the last committed state; ids are never handed out twice, even across
 * deletes and reopening; times round-trip with nanosecond precision. Any SQLite or I/O failure is
 * an {@link InternalException}; after {@link #close()} every call is an
 * {@link io.strata.api.UnavailableException}.
 *
 * <p>Before the first store is opened, the system property {@code org.sqlite.tmpdir} (where
 * sqlite-jdbc unpacks its native library) is set to {@code .sqlite-tmp} beside the database file
 * unless it is already set.
 */
public final class SqliteMetaStore extends BaseMetaStore {
    private final Path file;
    private final SqliteConnector connector;
    private final ReadPool readers;
    private SqliteConnection writer; // guarded by the write lock

    private SqliteMetaStore(Path file, SqliteConnector connector, SqliteConnection writer, Clock clock) {
        super(clock);
        this.file = file;
        this.connector = connector;
        this.writer = writer;
        this.readers = new ReadPool(connector);
    }

    /** Opens (creating if needed) the store in {@code dbFile}, durably. */
    public static SqliteMetaStore open(Path dbFile) {
        return open(dbFile, Durability.FULL);
    }

    /** Opens (creating if needed) the store in {@code dbFile} with the given durability. */
    public static SqliteMetaStore open(Path dbFile, Durability durability) {
        return open(dbFile, durability, Clock.systemUTC());
    }

    /**
     * Opens (creating if needed) the store in {@code dbFile}; created and updated times come from
     * {@code clock}. The parent directory is created if missing.
     *
     * @throws InternalException if the file cannot be opened or is not a Strata metastore of a
     *                           supported schema version
     */
    public static SqliteMetaStore open(Path dbFile, Durability durability, Clock clock) {
        Objects.requireNonNull(durability, "durability");
        Path file = dbFile.toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
            SqliteFiles.prepareNativeLibraryDir(file.getParent());
        } catch (IOException e) {
            throw new InternalException("cannot prepare metastore directory " + file.getParent() + ": " + e, e);
        }
        SqliteConnector connector = new SqliteConnector(file, durability);
        SqliteConnection writer = null;
        try {
            writer = connector.openWriter();
            SqliteSchema.migrate(writer);
            return new SqliteMetaStore(file, connector, writer, clock);
        } catch (SQLException | RuntimeException e) {
            if (writer != null) {
                ReadPool.closeQuietly(writer);
            }
            if (onReadOnlyFileSystem(file)) {
                throw new io.strata.api.UnavailableException("cannot open metastore " + file
                        + ": read-only file system (it needs its journal beside it): " + e.getMessage(), e);
            }
            if (e instanceof InternalException ie) {
                throw new InternalException("cannot open metastore " + file + ": " + ie.getMessage(), ie);
            }
            throw new InternalException("cannot open metastore " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean onReadOnlyFileSystem(Path file) {
        try {
            return java.nio.file.Files.getFileStore(file.toAbsolutePath().getParent()).isReadOnly();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    /**
     * Checks the database: SQLite's {@code integrity_check} and {@code foreign_key_check}, and that
     * every parent is a committed snapshot.
     *
     * @throws InternalException listing the problems found
     */
    public void checkIntegrity() {
        ensureOpen();
        List<String> problems = new ArrayList<>();
        SqliteConnection conn = null;
        boolean healthy = false;
        try {
            conn = readers.take();
            conn.beginRead(); // one snapshot for all three checks
            try (Statement st = conn.connection().createStatement()) {
                try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                    while (rs.next()) {
                        if (!"ok".equals(rs.getString(1))) {
                            problems.add(rs.getString(1));
                        }
                    }
                }
                try (ResultSet rs = st.executeQuery("PRAGMA foreign_key_check")) {
                    while (rs.next()) {
                        problems.add("row " + rs.getLong(2) + " of " + rs.getString(1)
                                + " refers to a missing row of " + rs.getString(3));
                    }
                }
                try (ResultSet rs = st.executeQuery("""
                        SELECT c.key, p.key FROM snapshots c JOIN snapshots p ON p.id = c.parent_id
                        WHERE p.kind != 3""")) {
                    while (rs.next()) {
                        problems.add("parent " + rs.getString(2) + " of " + rs.getString(1) + " is not committed");
                    }
                }
            }
            conn.rollback();
            healthy = true;
        } catch (SQLException e) {
            throw SqliteRecords.failed("check integrity", e);
        } finally {
            if (conn != null) {
                readers.give(conn, healthy);
            }
        }
        if (!problems.isEmpty()) {
            throw new InternalException("metastore " + file + " failed its integrity check: " + String.join("; ", problems));
        }
    }

    /** A pragma's value on the write connection (for tests of the connection setup). */
    String writerPragma(String name) {
        return exclusively(() -> {
            try (Statement st = writer.connection().createStatement();
                 ResultSet rs = st.executeQuery("PRAGMA " + name)) {
                return rs.next() ? rs.getString(1) : null;
            } catch (SQLException e) {
                throw SqliteRecords.failed("read pragma " + name, e);
            }
        });
    }

    @Override
    ReadSession beginRead() {
        SqliteConnection conn;
        try {
            conn = readers.take();
        } catch (SQLException e) {
            throw SqliteRecords.failed("open a read connection", e);
        }
        try {
            conn.beginRead();
        } catch (SQLException e) {
            readers.give(conn, false);
            throw SqliteRecords.failed("begin a read transaction", e);
        }
        SqliteRecords records = new SqliteRecords(conn);
        return new ReadSession() {
            @Override
            public Records records() {
                return records;
            }

            @Override
            public void close() {
                try {
                    conn.rollback();
                    readers.give(conn, true);
                } catch (SQLException e) {
                    readers.give(conn, false);
                    throw SqliteRecords.failed("end a read transaction", e);
                }
            }
        };
    }

    @Override
    WriteSession beginWrite() {
        SqliteConnection conn = writer();
        try {
            conn.beginWrite();
        } catch (SQLException e) {
            replaceWriter();
            throw SqliteRecords.failed("begin a write transaction", e);
        }
        SqliteRecords records = new SqliteRecords(conn);
        return new WriteSession() {
            @Override
            public Records.Writer records() {
                return records;
            }

            @Override
            public void commit() {
                try {
                    conn.commit();
                } catch (SQLException e) {
                    throw SqliteRecords.failed("commit", e);
                }
            }

            @Override
            public void rollback() {
                try {
                    conn.rollback();
                } catch (SQLException e) {
                    // The connection's transaction state is unknown now: start afresh next time.
                    replaceWriter();
                    throw SqliteRecords.failed("roll back", e);
                }
            }
        };
    }

    /** The write connection, reopened if an earlier failure dropped it. Called holding the write lock. */
    private SqliteConnection writer() {
        if (writer == null) {
            try {
                writer = connector.openWriter();
            } catch (SQLException e) {
                throw SqliteRecords.failed("reopen the write connection", e);
            }
        }
        return writer;
    }

    private void replaceWriter() {
        if (writer != null) {
            ReadPool.closeQuietly(writer);
            writer = null;
        }
    }

    @Override
    void closeStorage() {
        replaceWriter();
        readers.close();
    }
}
