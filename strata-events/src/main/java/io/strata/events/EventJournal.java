package io.strata.events;

import io.strata.api.EpochNanos;
import io.strata.api.InternalException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.UnavailableException;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import io.strata.sqlite.SqliteFiles;
import org.sqlite.SQLiteConfig;

/**
 * The events of one state root, in an SQLite file that every process working on the root appends
 * to: the daemon, the CLI and library users alike, so {@code strata events} sees what any of them
 * did. Events are numbered in the order they were stored; the newest {@code retain} are kept.
 *
 * <p>Like containerd's exchange, the journal is a notification channel, not a record of truth: it
 * is written after the change it reports, with {@code synchronous=NORMAL} (a power cut may lose
 * the last events, never corrupt the file), and a change whose event cannot be stored still
 * stands. Thread-safe.
 */
public final class EventJournal implements Publisher, AutoCloseable {
    /** How many events a journal keeps by default. */
    public static final int DEFAULT_RETAIN = 10_000;
    private static final System.Logger LOG = System.getLogger(EventJournal.class.getName());
    private static final int TRIM_EVERY = 256;
    /** How long a subscriber waits before looking for other processes' appends. */
    static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final String SCHEMA = """
            CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL,
              ns TEXT NOT NULL, topic TEXT NOT NULL, type TEXT NOT NULL, payload BLOB NOT NULL)""";

    private final Connection conn;
    private final int retain;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private int sinceTrim;
    private boolean closed;

    private EventJournal(Connection conn, int retain) {
        this.conn = conn;
        this.retain = retain;
    }

    /** The journal's file under a state root. */
    public static Path location(Path stateRoot) {
        return stateRoot.resolve("events").resolve("journal.db");
    }

    /** Opens (creating if needed) the journal of {@code stateRoot}, keeping {@link #DEFAULT_RETAIN} events. */
    public static EventJournal openIn(Path stateRoot) {
        return open(location(stateRoot), DEFAULT_RETAIN);
    }

    /** Opens (creating if needed) a journal in {@code dbFile} that keeps the newest {@code retain} events. */
    public static EventJournal open(Path dbFile, int retain) {
        if (retain < 1) {
            throw new IllegalArgumentException("retain must be at least 1, was " + retain);
        }
        try {
            Connection c = SqliteFiles.openWal(dbFile, SQLiteConfig.SynchronousMode.NORMAL);
            try (Statement st = c.createStatement()) {
                st.execute(SCHEMA);
            }
            return new EventJournal(c, retain);
        } catch (IOException | SQLException e) {
            throw new UnavailableException("cannot open event journal " + dbFile + ": " + e.getMessage(), e);
        }
    }

    /** Stores {@code event} on its own topic; a failure is logged, never thrown. */
    @Override
    public void publish(String namespace, Event event) {
        try {
            append(namespace, event.topic(), event);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "event {0} in namespace {1} not recorded: {2}",
                    event.topic(), namespace, e.getMessage());
        }
    }

    /**
     * Stores {@code event} on {@code topic} in {@code namespace}, stamped now.
     *
     * @throws io.strata.api.InvalidArgumentException if the topic or namespace is not valid
     * @throws UnavailableException if the journal cannot be written
     */
    public Envelope append(String namespace, String topic, Event event) {
        return forward(new Envelope(0, Instant.now(), namespace, topic, event));
    }

    /**
     * Stores an envelope made elsewhere, keeping its timestamp and namespace (containerd's
     * {@code Forward}); returns it with its sequence number.
     */
    public Envelope forward(Envelope envelope) {
        io.strata.api.Namespaces.validate(envelope.namespace());
        Topics.checkTopic(envelope.topic());
        long ts;
        try {
            ts = EpochNanos.of(envelope.timestamp());
        } catch (ArithmeticException e) {
            throw new InvalidArgumentException("event timestamp " + envelope.timestamp() + " is outside 1677-2262");
        }
        byte[] payload = EventCodec.encode(envelope.event());
        lock.lock();
        try {
            checkOpen();
            long seq;
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO events (ts, ns, topic, type, payload) VALUES (?, ?, ?, ?, ?) RETURNING seq")) {
                ps.setLong(1, ts);
                ps.setString(2, envelope.namespace());
                ps.setString(3, envelope.topic());
                ps.setString(4, envelope.event().typeName());
                ps.setBytes(5, payload);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    seq = rs.getLong(1);
                }
            }
            if (++sinceTrim >= TRIM_EVERY) {
                sinceTrim = 0;
                try (PreparedStatement ps = conn.prepareStatement("DELETE FROM events WHERE seq <= ?")) {
                    ps.setLong(1, seq - retain);
                    ps.executeUpdate();
                }
            }
            appended.signalAll();
            return envelope.withSequence(seq);
        } catch (SQLException e) {
            throw new UnavailableException("cannot record event " + envelope.topic() + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** The sequence number of the newest stored event, 0 when there is none. */
    public long latest() {
        lock.lock();
        try {
            checkOpen();
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT seq FROM sqlite_sequence WHERE name = 'events'")) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new InternalException("reading event journal: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Up to {@code limit} stored events numbered after {@code after}, oldest first. */
    public List<Envelope> read(long after, int limit) {
        lock.lock();
        try {
            checkOpen();
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT seq, ts, ns, topic, type, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?")) {
                ps.setLong(1, after);
                ps.setInt(2, limit);
                List<Envelope> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Envelope(rs.getLong(1), EpochNanos.toInstant(rs.getLong(2)), rs.getString(3), rs.getString(4),
                                decodeStored(rs.getString(5), rs.getBytes(6))));
                    }
                }
                return out;
            }
        } catch (SQLException e) {
            throw new InternalException("reading event journal: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A subscription to events numbered after {@code after} that {@code filter} accepts: pass
     * {@link #latest()} for only what happens from now on, 0 for everything still kept.
     */
    public Subscription subscribe(long after, Predicate<Envelope> filter) {
        return new Subscription(this, after, Objects.requireNonNull(filter, "filter"));
    }

    /** Waits until this process appends an event or {@code nanos} pass; false once closed. */
    boolean awaitAppend(long nanos) throws InterruptedException {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            appended.awaitNanos(nanos);
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            appended.signalAll();
            conn.close();
        } catch (SQLException e) {
            throw new InternalException("closing event journal: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new UnavailableException("event journal is closed");
        }
    }

    // A row another process wrote with a type it knew is decoded the same way; bytes that do not
    // decode are shown as opaque rather than stopping every subscriber.
    private static Event decodeStored(String type, byte[] payload) {
        try {
            return EventCodec.decode(type, payload);
        } catch (RuntimeException e) {
            return new Event.Opaque(type, payload);
        }
    }
}
