package io.strata.sqlite;

import io.strata.api.InternalException;
import io.strata.api.StrataException;
import io.strata.api.UnavailableException;
import java.sql.SQLException;

/** Strata's error for a failed SQLite call: the environment's faults (full disk, read-only file system) are unavailable, the rest internal. */
public final class SqliteErrors {
    private static final int SQLITE_READONLY = 8;
    private static final int SQLITE_FULL = 13;

    private SqliteErrors() {
    }

    /** The error for {@code e}, raised while trying to {@code what} in {@code store} (for example "metastore"). */
    public static StrataException translate(String store, String what, SQLException e) {
        String m = String.valueOf(e.getMessage());
        int primary = e instanceof org.sqlite.SQLiteException se ? se.getResultCode().code & 0xff : -1;
        if (primary == SQLITE_FULL || m.contains("SQLITE_FULL")) {
            return new UnavailableException(store + ": failed to " + what + ": no space left: " + m, e);
        }
        // SQLite opens a file on a read-only file system as SQLITE_CANTOPEN; the kernel's words tell it apart.
        if (primary == SQLITE_READONLY || m.contains("SQLITE_READONLY") || m.contains("Read-only file system")) {
            return new UnavailableException(store + ": failed to " + what + ": read-only file system: " + m, e);
        }
        return new InternalException(store + ": failed to " + what + ": " + m, e);
    }
}
