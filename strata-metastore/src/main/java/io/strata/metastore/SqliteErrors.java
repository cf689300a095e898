package io.strata.metastore;

import io.strata.api.InternalException;
import io.strata.api.StrataException;
import io.strata.api.UnavailableException;
import java.sql.SQLException;

/** Strata's error for a failed SQLite call: the environment's faults (full disk, read-only file system) are unavailable, the rest internal. */
public final class SqliteErrors {
    private SqliteErrors() {
    }

    /** The error for {@code e}, raised while trying to {@code what} in {@code store} (for example "metastore"). */
    public static StrataException translate(String store, String what, SQLException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("SQLITE_FULL")) {
            return new UnavailableException(store + ": failed to " + what + ": no space left: " + m, e);
        }
        if (m.contains("SQLITE_READONLY") || m.contains("Read-only file system")) {
            return new UnavailableException(store + ": failed to " + what + ": read-only file system: " + m, e);
        }
        return new InternalException(store + ": failed to " + what + ": " + m, e);
    }
}
