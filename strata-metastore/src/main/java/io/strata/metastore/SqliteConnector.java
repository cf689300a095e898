package io.strata.metastore;

import io.strata.sqlite.SqliteConnection;
import io.strata.sqlite.SqliteFiles;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/** Opens connections to one database file with the pragmas a {@link SqliteMetaStore} relies on. */
final class SqliteConnector {

    private final String url;
    private final Durability durability;

    SqliteConnector(Path dbFile, Durability durability) {
        this.url = "jdbc:sqlite:" + dbFile.toAbsolutePath();
        this.durability = durability;
    }

    /** The one connection that writes: WAL, the chosen durability, foreign keys. */
    SqliteConnection openWriter() throws SQLException {
        SQLiteConfig config = SqliteFiles.common();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(durability == Durability.FULL
                ? SQLiteConfig.SynchronousMode.FULL
                : SQLiteConfig.SynchronousMode.OFF);
        return new SqliteConnection(config.createConnection(url));
    }

    /** A connection for read transactions; refuses to write. */
    SqliteConnection openReader() throws SQLException {
        SqliteConnection conn = new SqliteConnection(SqliteFiles.common().createConnection(url));
        try (Statement st = conn.connection().createStatement()) {
            st.execute("PRAGMA query_only = ON");
        } catch (SQLException e) {
            conn.close();
            throw e;
        }
        return conn;
    }
}
