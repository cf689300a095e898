package io.strata.image.meta;

import io.strata.api.AlreadyExistsException;
import io.strata.api.EpochNanos;
import io.strata.api.InternalException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.NotFoundException;
import io.strata.events.Event;
import io.strata.events.Publisher;
import io.strata.sqlite.SqliteConnection;
import io.strata.sqlite.SqliteFiles;
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
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.sqlite.SQLiteConfig;

/**
 * Images and leases by namespace, in one SQLite file (WAL, {@code synchronous=FULL}): a change
 * that returned is on disk. Thread-safe (one connection, serialised). Namespaces are created when
 * first used and are valid containerd namespace names.
 */
public final class MetadataStore implements AutoCloseable {
    private static final String SCHEMA = """
            CREATE TABLE IF NOT EXISTS images (ns TEXT NOT NULL, name TEXT NOT NULL, media_type TEXT NOT NULL,
              digest TEXT NOT NULL, size INTEGER NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL,
              PRIMARY KEY (ns, name));
            CREATE TABLE IF NOT EXISTS image_labels (ns TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL,
              value TEXT NOT NULL, PRIMARY KEY (ns, name, key),
              FOREIGN KEY (ns, name) REFERENCES images (ns, name) ON DELETE CASCADE);
            CREATE TABLE IF NOT EXISTS leases (ns TEXT NOT NULL, id TEXT NOT NULL, created INTEGER NOT NULL,
              PRIMARY KEY (ns, id));
            CREATE TABLE IF NOT EXISTS lease_labels (ns TEXT NOT NULL, id TEXT NOT NULL, key TEXT NOT NULL,
              value TEXT NOT NULL, PRIMARY KEY (ns, id, key),
              FOREIGN KEY (ns, id) REFERENCES leases (ns, id) ON DELETE CASCADE);
            CREATE TABLE IF NOT EXISTS lease_resources (ns TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,
              ref TEXT NOT NULL, PRIMARY KEY (ns, id, type, ref),
              FOREIGN KEY (ns, id) REFERENCES leases (ns, id) ON DELETE CASCADE);
            """;

    private final SqliteConnection db;
    private final Publisher events;

    private MetadataStore(Connection conn, Publisher events) {
        this.db = new SqliteConnection(conn);
        this.events = events;
    }

    /** Opens (creating if needed) the store in {@code dbFile}, publishing no events. */
    public static MetadataStore open(Path dbFile) {
        return open(dbFile, Publisher.NONE);
    }

    /**
     * Opens (creating if needed) the store in {@code dbFile}; image changes are published to
     * {@code events} as containerd's {@code /images/create}, {@code /images/update} and
     * {@code /images/delete} once they are stored.
     */
    public static MetadataStore open(Path dbFile, Publisher events) {
        try {
            Connection c = SqliteFiles.openWal(dbFile, SQLiteConfig.SynchronousMode.FULL);
            try (Statement st = c.createStatement()) {
                for (String ddl : SCHEMA.split(";")) {
                    if (!ddl.isBlank()) {
                        st.execute(ddl);
                    }
                }
            }
            return new MetadataStore(c, java.util.Objects.requireNonNull(events, "events"));
        } catch (IOException | SQLException e) {
            throw new InternalException("cannot open metadata store " + dbFile + ": " + e.getMessage(), e);
        }
    }

    /** Stores a new image; AlreadyExists if the name is taken in {@code ns}. */
    public synchronized ImageRecord createImage(String ns, ImageRecord image) {
        checkNamespace(ns);
        if (image(ns, image.name()).isPresent()) {
            throw new AlreadyExistsException("image \"" + image.name() + "\": already exists");
        }
        ImageRecord stored = write(ns, image, Instant.now(), false);
        events.publish(ns, new Event.ImageCreate(stored.name(), stored.labels()));
        return stored;
    }

    /** Creates the image or points an existing one at a new target and labels, keeping its creation time. */
    public synchronized ImageRecord putImage(String ns, ImageRecord image) {
        checkNamespace(ns);
        Optional<ImageRecord> old = image(ns, image.name());
        ImageRecord stored = write(ns, image, old.map(ImageRecord::created).orElse(Instant.now()), old.isPresent());
        events.publish(ns, old.isPresent() ? new Event.ImageUpdate(stored.name(), stored.labels())
                : new Event.ImageCreate(stored.name(), stored.labels()));
        return stored;
    }

    private ImageRecord write(String ns, ImageRecord image, Instant created, boolean replace) {
        Instant now = replace ? Instant.now() : created;
        return db.write("metadata store", c -> {
            if (replace) {
                c.update("DELETE FROM images WHERE ns = ? AND name = ?", ns, image.name());
            }
            c.update("INSERT INTO images (ns, name, media_type, digest, size, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ns, image.name(), image.mediaType(), image.digest(), image.size(), EpochNanos.of(created), EpochNanos.of(now));
            for (Map.Entry<String, String> l : image.labels().entrySet()) {
                c.update("INSERT INTO image_labels (ns, name, key, value) VALUES (?, ?, ?, ?)", ns, image.name(), l.getKey(), l.getValue());
            }
            return new ImageRecord(image.name(), image.mediaType(), image.digest(), image.size(), image.labels(), created, now);
        });
    }

    public synchronized Optional<ImageRecord> image(String ns, String name) {
        List<ImageRecord> found = images(ns, name);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    /** Images of {@code ns}, by name. */
    public synchronized List<ImageRecord> images(String ns) {
        return images(ns, null);
    }

    private List<ImageRecord> images(String ns, String only) {
        String sql = "SELECT name, media_type, digest, size, created, updated FROM images WHERE ns = ?"
                + (only == null ? "" : " AND name = ?") + " ORDER BY name";
        try (PreparedStatement ps = db.connection().prepareStatement(sql)) {
            ps.setString(1, ns);
            if (only != null) {
                ps.setString(2, only);
            }
            List<ImageRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    out.add(new ImageRecord(name, rs.getString(2), rs.getString(3), rs.getLong(4),
                            labels("SELECT key, value FROM image_labels WHERE ns = ? AND name = ?", ns, name),
                            EpochNanos.toInstant(rs.getLong(5)), EpochNanos.toInstant(rs.getLong(6))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new InternalException("reading images: " + e.getMessage(), e);
        }
    }

    /** Removes an image record (not its content: that is garbage collection's job). */
    public synchronized void deleteImage(String ns, String name) {
        if (db.write("metadata store", c -> c.update("DELETE FROM images WHERE ns = ? AND name = ?", ns, name)) == 0) {
            throw new NotFoundException("image \"" + name + "\": not found");
        }
        events.publish(ns, new Event.ImageDelete(name));
    }

    /** Namespaces that hold images or leases. */
    public synchronized List<String> namespaces() {
        List<String> out = new ArrayList<>();
        try (Statement st = db.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT ns FROM images UNION SELECT ns FROM leases ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new InternalException("reading namespaces: " + e.getMessage(), e);
        }
    }

    /** Creates a lease; AlreadyExists if the id is taken. */
    public synchronized Lease createLease(String ns, String id, Map<String, String> labels) {
        checkNamespace(ns);
        if (id == null || id.isEmpty()) {
            throw new InvalidArgumentException("lease id is empty");
        }
        Instant now = Instant.now();
        return db.write("metadata store", c -> {
            try {
                c.update("INSERT INTO leases (ns, id, created) VALUES (?, ?, ?)", ns, id, EpochNanos.of(now));
            } catch (AlreadyExistsException e) {
                throw new AlreadyExistsException("lease \"" + id + "\": already exists");
            }
            for (Map.Entry<String, String> l : labels.entrySet()) {
                c.update("INSERT INTO lease_labels (ns, id, key, value) VALUES (?, ?, ?, ?)", ns, id, l.getKey(), l.getValue());
            }
            return new Lease(id, labels, now, List.of());
        });
    }

    /** Adds a resource to a lease (idempotent). */
    public synchronized void addLeaseResource(String ns, String id, Lease.Resource resource) {
        db.write("metadata store", c -> {
            if (c.update("INSERT OR IGNORE INTO lease_resources (ns, id, type, ref) SELECT ns, id, ?, ? FROM leases WHERE ns = ? AND id = ?",
                    resource.type(), resource.id(), ns, id) == 0 && lease(ns, id).isEmpty()) {
                throw new NotFoundException("lease \"" + id + "\": not found");
            }
            return null;
        });
    }

    public synchronized void deleteLease(String ns, String id) {
        if (db.write("metadata store", c -> c.update("DELETE FROM leases WHERE ns = ? AND id = ?", ns, id)) == 0) {
            throw new NotFoundException("lease \"" + id + "\": not found");
        }
    }

    public synchronized Optional<Lease> lease(String ns, String id) {
        return leases(ns).stream().filter(l -> l.id().equals(id)).findFirst();
    }

    /** Leases of {@code ns} with their resources. */
    public synchronized List<Lease> leases(String ns) {
        try (PreparedStatement ps = db.connection().prepareStatement("SELECT id, created FROM leases WHERE ns = ? ORDER BY id")) {
            ps.setString(1, ns);
            List<Lease> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    List<Lease.Resource> res = new ArrayList<>();
                    try (PreparedStatement r = db.connection().prepareStatement(
                            "SELECT type, ref FROM lease_resources WHERE ns = ? AND id = ? ORDER BY type, ref")) {
                        r.setString(1, ns);
                        r.setString(2, id);
                        try (ResultSet rr = r.executeQuery()) {
                            while (rr.next()) {
                                res.add(new Lease.Resource(rr.getString(1), rr.getString(2)));
                            }
                        }
                    }
                    out.add(new Lease(id, labels("SELECT key, value FROM lease_labels WHERE ns = ? AND id = ?", ns, id),
                            EpochNanos.toInstant(rs.getLong(2)), res));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new InternalException("reading leases: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new InternalException("closing metadata store: " + e.getMessage(), e);
        }
    }

    private Map<String, String> labels(String sql, String ns, String key) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (PreparedStatement ps = db.connection().prepareStatement(sql)) {
            ps.setString(1, ns);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    private static void checkNamespace(String ns) {
        io.strata.api.Namespaces.validate(ns);
    }
}
