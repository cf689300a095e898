package io.strata.metastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.Info;
import io.strata.api.InternalException;
import io.strata.api.Kind;
import io.strata.api.Usage;
import io.strata.sqlite.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on SQLite, plus what only a durable store has: files, reopening, pragmas, integrity. */
class SqliteMetaStoreTest extends MetaStoreContractTest {
    @TempDir
    Path dir;
    private int opened;

    @Override
    MetaStore open(TickingClock clock) {
        return SqliteMetaStore.open(dir.resolve("db" + opened++ + "/metadata.db"), Durability.FULL, clock);
    }

    private SqliteMetaStore sqlite() {
        return (SqliteMetaStore) store;
    }

    private SqliteMetaStore reopen() {
        store.close();
        store = SqliteMetaStore.open(sqlite().file(), Durability.FULL, clock);
        return sqlite();
    }

    private List<Info> walkAll() {
        List<Info> infos = new ArrayList<>();
        store.read(tx -> {
            tx.walk(ALL, infos::add);
            return null;
        });
        return infos;
    }

    /** Runs statements on a raw connection, behind the store's back (foreign keys off, as SQLite defaults). */
    private void sql(String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sqlite().file());
             Statement st = c.createStatement()) {
            for (String statement : statements) {
                st.execute(statement);
            }
        }
    }

    @Test
    void reopenKeepsEverything() {
        populate();
        write(tx -> tx.update("committed-2", Map.of("containerd.io/gc.root", "2024", "ключ", "😀")));
        write(tx -> tx.commit("active-3", "committed-3", new Usage(123456789012L, 42), Map.of("a", "b=c,d")));
        List<Info> before = walkAll();
        Map<Long, String> ids = store.read(ReadTx::idMap);
        SnapshotRef view2 = store.read(tx -> tx.snapshot("view-2"));

        reopen();

        assertThat(walkAll()).isEqualTo(before);
        assertThat(store.read(ReadTx::idMap)).isEqualTo(ids);
        SnapshotRef reread = store.read(tx -> tx.snapshot("view-2"));
        assertThat(reread).isEqualTo(view2);
        assertThat(info("committed-3").usage()).isEqualTo(new Usage(123456789012L, 42));
        assertThat(info("committed-1").usage()).isEqualTo(new Usage(1, 0));
        sqlite().checkIntegrity();
    }

    @Test
    void idsAreNeverReusedAfterReopen() {
        long a = create(Kind.ACTIVE, "a", "").id();
        long b = create(Kind.ACTIVE, "b", "").id();
        write(tx -> tx.remove("b"));
        reopen();
        long c = create(Kind.ACTIVE, "c", "").id();
        assertThat(c).isGreaterThan(b).isGreaterThan(a);
    }

    @Test
    void integrityCheckPassesOnAHealthyStore() {
        populate();
        write(tx -> tx.update("active-1", Map.of("k", "v")));
        write(tx -> tx.remove("view-1"));
        sqlite().checkIntegrity();
    }

    @Test
    void integrityCheckFindsDanglingRows() throws Exception {
        populate();
        sql("PRAGMA foreign_keys = OFF", "INSERT INTO labels (snapshot_id, name, value) VALUES (9999, 'k', 'v')");
        assertThatThrownBy(() -> sqlite().checkIntegrity()).isInstanceOf(InternalException.class)
                .hasMessageContaining("labels").hasMessageContaining("refers to a missing row of snapshots");
    }

    @Test
    void integrityCheckFindsUncommittedParents() throws Exception {
        populate();
        sql("UPDATE snapshots SET kind = 2 WHERE key = 'committed-1'");
        assertThatThrownBy(() -> sqlite().checkIntegrity()).isInstanceOf(InternalException.class)
                .hasMessageContaining("parent committed-1 of active-2 is not committed");
    }

    @Test
    void connectionsHaveTheRequiredPragmas() {
        assertThat(sqlite().writerPragma("journal_mode")).isEqualTo("wal");
        assertThat(sqlite().writerPragma("synchronous")).isEqualTo("2");
        assertThat(sqlite().writerPragma("foreign_keys")).isEqualTo("1");
        assertThat(Integer.parseInt(sqlite().writerPragma("busy_timeout"))).isPositive();
        assertThat(sqlite().writerPragma("user_version")).isEqualTo(Integer.toString(SqliteSchema.VERSION));
        assertThat(sqlite().writerPragma("application_id")).isEqualTo(Integer.toString(SqliteSchema.APPLICATION_ID));
    }

    @Test
    void durabilityNoneTurnsSynchronousOff() {
        try (SqliteMetaStore fast = SqliteMetaStore.open(dir.resolve("fast.db"), Durability.NONE)) {
            assertThat(fast.writerPragma("synchronous")).isEqualTo("0");
            assertThat(fast.writerPragma("journal_mode")).isEqualTo("wal");
            fast.write(tx -> tx.create(Kind.ACTIVE, "a", "", Map.of()));
            assertThat(fast.read(tx -> tx.info("a")).info().kind()).isEqualTo(Kind.ACTIVE);
        }
    }

    @Test
    void nativeLibraryDirectoryIsSet() {
        // Set by the first store opened in this JVM (whose temporary directory may be gone by now).
        assertThat(System.getProperty(SqliteFiles.TMPDIR_PROPERTY)).endsWith(".sqlite-tmp");
    }

    @Test
    void refusesANewerSchema() throws Exception {
        Path file = sqlite().file();
        store.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = 2");
        }
        assertThatThrownBy(() -> SqliteMetaStore.open(file)).isInstanceOf(InternalException.class)
                .hasMessageContaining("schema version 2 is not supported");
        store = SqliteMetaStore.open(dir.resolve("other.db"));
    }

    @Test
    void refusesADatabaseThatIsNotAMetastore() throws Exception {
        Path file = dir.resolve("foreign.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (x)");
        }
        assertThatThrownBy(() -> SqliteMetaStore.open(file)).isInstanceOf(InternalException.class)
                .hasMessageContaining("not a Strata metastore");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_schema")) {
            rs.next();
            assertThat(rs.getInt(1)).as("left untouched").isEqualTo(1);
        }
    }

    @Test
    void refusesAFileThatIsNotADatabase() throws Exception {
        Path file = Files.writeString(dir.resolve("garbage.db"), "this is not a database, just text. ".repeat(200));
        assertThatThrownBy(() -> SqliteMetaStore.open(file)).isInstanceOf(InternalException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void createsTheParentDirectory() {
        Path file = dir.resolve("a/b/c/metadata.db");
        try (SqliteMetaStore s = SqliteMetaStore.open(file)) {
            s.write(tx -> tx.create(Kind.ACTIVE, "x", "", Map.of()));
        }
        assertThat(file).isRegularFile();
    }

    @Test
    void closedStoreRefusesIntegrityChecks() {
        store.close();
        assertThatThrownBy(() -> sqlite().checkIntegrity()).isInstanceOf(io.strata.api.UnavailableException.class);
    }

    @Test
    void timesAreStoredAsEpochNanoseconds() throws Exception {
        Instant at = clock.peek();
        create(Kind.ACTIVE, "a", "");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + sqlite().file());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT created_ns, updated_ns FROM snapshots WHERE key = 'a'")) {
            assertThat(rs.next()).isTrue();
            long ns = at.getEpochSecond() * 1_000_000_000L + at.getNano();
            assertThat(rs.getLong(1)).isEqualTo(ns);
            assertThat(rs.getLong(2)).isEqualTo(ns);
        }
    }
}
