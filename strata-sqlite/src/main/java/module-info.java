/**
 * SQLite as Strata uses it: one native library load, the database file settings (WAL,
 * {@code synchronous=FULL}) and SQLite result codes mapped to Strata's errors. Internal: only the
 * stores built on SQLite read it.
 */
module io.strata.sqlite {
    requires transitive java.sql;
    requires transitive org.xerial.sqlitejdbc;
    requires io.strata.api;

    exports io.strata.sqlite to io.strata.metastore, io.strata.events, io.strata.image;
}
