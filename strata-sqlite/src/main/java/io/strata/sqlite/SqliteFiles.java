package io.strata.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;

/** Opens an SQLite file as every Strata store does: WAL, foreign keys, a busy timeout, the native library extracted next to it. */
public final class SqliteFiles {
    /** sqlite-jdbc's property for where it unpacks its native library. */
    public static final String TMPDIR_PROPERTY = "org.sqlite.tmpdir";
    private static final int BUSY_TIMEOUT_MS = 10_000;

    private SqliteFiles() {
    }

    /** A connection to {@code dbFile} (created with its directory if missing) in WAL mode with {@code sync}. */
    public static Connection openWal(Path dbFile, SQLiteConfig.SynchronousMode sync) throws IOException, SQLException {
        Path file = dbFile.toAbsolutePath();
        prepareNativeLibraryDir(Files.createDirectories(file.getParent()));
        SQLiteConfig config = common();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(sync);
        return config.createConnection("jdbc:sqlite:" + file);
    }

    /**
     * Points sqlite-jdbc's extraction of its native library at {@code <dir>/.sqlite-tmp} unless the
     * property is set already: the default temporary directory may be missing or mounted noexec.
     * Only the first store opened in a JVM decides, since the library loads once; it is unpacked
     * there once per library version ({@link SqliteNativeLibrary}), not once per process.
     */
    public static synchronized void prepareNativeLibraryDir(Path dir) throws IOException {
        if (System.getProperty(TMPDIR_PROPERTY) == null) {
            Path tmp = Files.createDirectories(dir.resolve(".sqlite-tmp"));
            System.setProperty(TMPDIR_PROPERTY, tmp.toString());
        }
        SqliteNativeLibrary.useCacheIn(Path.of(System.getProperty(TMPDIR_PROPERTY)));
    }

    /** The settings every Strata connection has: foreign keys, and a busy timeout for the other processes on a root. */
    public static SQLiteConfig common() {
        SQLiteConfig config = new SQLiteConfig();
        config.enforceForeignKeys(true);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        return config;
    }
}
