package io.strata.metastore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/** Opens connections to one database file with the pragmas a {@link SqliteMetaStore} relies on. */
final class SqliteConnector {
    static final String TMPDIR_PROPERTY = "org.sqlite.tmpdir";
    private static final int BUSY_TIMEOUT_MS = 10_000;

    private final String url;
    private final Durability durability;

    SqliteConnector(Path dbFile, Durability durability) {
        this.url = "jdbc:sqlite:" + dbFile.toAbsolutePath();
        this.durability = durability;
    }

    /**
     * Points sqlite-jdbc's extraction of its native library at {@code <dir>/.sqlite-tmp} unless the
     * property is set already: the default temporary directory may be missing or mounted noexec.
     * Only the first store opened in a JVM decides, since the library loads once; it is unpacked
     * there once per library version ({@link SqliteNativeLibrary}), not once per process.
     */
    static synchronized void prepareNativeLibraryDir(Path dir) throws IOException {
        if (System.getProperty(TMPDIR_PROPERTY) == null) {
            Path tmp = Files.createDirectories(dir.resolve(".sqlite-tmp"));
            System.setProperty(TMPDIR_PROPERTY, tmp.toString());
        }
        SqliteNativeLibrary.useCacheIn(Path.of(System.getProperty(TMPDIR_PROPERTY)));
    }

    /** The one connection that writes: WAL, the chosen durability, foreign keys. */
    SqlConn openWriter() throws SQLException {
        SQLiteConfig config = common();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(durability == Durability.FULL
                ? SQLiteConfig.SynchronousMode.FULL
                : SQLiteConfig.SynchronousMode.OFF);
        return new SqlConn(config.createConnection(url));
    }

    /** A connection for read transactions; refuses to write. */
    SqlConn openReader() throws SQLException {
        SqlConn conn = new SqlConn(common().createConnection(url));
        try (Statement st = conn.connection().createStatement()) {
            st.execute("PRAGMA query_only = ON");
        } catch (SQLException e) {
            conn.close();
            throw e;
        }
        return conn;
    }

    static SQLiteConfig common() {
        SQLiteConfig config = new SQLiteConfig();
        config.enforceForeignKeys(true);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        return config;
    }
}
