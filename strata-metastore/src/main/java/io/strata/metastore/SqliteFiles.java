package io.strata.metastore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;

/** Opens an SQLite file as every Strata store does: WAL, foreign keys, a busy timeout, the native library extracted next to it. */
public final class SqliteFiles {
    private SqliteFiles() {
    }

    /** A connection to {@code dbFile} (created with its directory if missing) in WAL mode with {@code sync}. */
    public static Connection openWal(Path dbFile, SQLiteConfig.SynchronousMode sync) throws IOException, SQLException {
        Path file = dbFile.toAbsolutePath();
        SqliteConnector.prepareNativeLibraryDir(Files.createDirectories(file.getParent()));
        SQLiteConfig config = SqliteConnector.common();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(sync);
        return config.createConnection("jdbc:sqlite:" + file);
    }
}
