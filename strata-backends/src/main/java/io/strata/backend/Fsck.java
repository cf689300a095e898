package io.strata.backend;

import io.strata.api.InternalException;
import io.strata.api.Kind;
import io.strata.api.StrataException;
import io.strata.api.Usage;
import io.strata.backend.BlockOptions;
import io.strata.backend.directory.DirectorySnapshotter;
import io.strata.fs.Mounter;
import io.strata.metastore.SqliteMetaStore;
import io.strata.metastore.StoredInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a backend's records against its disk, as {@code fsck} does a file system, and repairs
 * what is safe to repair. Run it on a store that nothing else has open (before a daemon serves it,
 * or with the daemon stopped): it takes any directory without a record for an orphan.
 *
 * <p>What is checked, and what {@code repair} does about it:
 * <ul>
 *   <li>{@link Problem#METASTORE}: the database fails its integrity check (corruption, a parent id
 *       pointing at no row, a parent that is not committed). Never repaired.
 *   <li>{@link Problem#MISSING_DATA}: a record whose directory (or image, or overlay work dir) is
 *       gone. An active or view snapshot is removed (its contents are gone anyway); a committed
 *       one is only reported: its data is what users depend on, and its record may be the proof
 *       that something deleted it.
 *   <li>{@link Problem#BAD_PARENT}: a record naming a parent that does not exist or is not
 *       committed. Never repaired.
 *   <li>{@link Problem#WRONG_STATE}: on-disk state contradicting the kind (a committed block image
 *       that is writable, an active one that is read-only). Repaired by fixing the mode.
 *   <li>{@link Problem#STALE_MOUNT}: a temporary mount of a snapshot's data (a block image mounted
 *       on a {@code strata-mount-*} directory to apply or diff a layer) left by a process that
 *       died before unmounting it. It holds a loop device, and the image's space even after the
 *       snapshot is removed, and a second mount of the same ext4 would corrupt it. Repaired by
 *       detaching it and removing its directory; checked first, so that an orphan's image is
 *       still found by its path.
 *   <li>{@link Problem#ORPHAN}: a directory in {@code snapshots/} without a record: the temporary
 *       directory of a prepare that crashed, a ready-made spare, or the data of a removed snapshot
 *       not yet cleaned up. Removed, as {@link DirectorySnapshotter#cleanup} does.
 *   <li>{@link Problem#USAGE_DRIFT} (only with {@link Options#usage}, it walks every committed
 *       tree): a committed snapshot whose measured size differs from the size recorded at commit,
 *       which means its immutable data was changed. Never repaired.
 * </ul>
 */
public final class Fsck {

    /** What kind of inconsistency a finding is. */
    public enum Problem { METASTORE, MISSING_DATA, BAD_PARENT, WRONG_STATE, STALE_MOUNT, ORPHAN, USAGE_DRIFT }

    /** What to do besides checking. */
    public record Options(boolean repair, boolean usage) {
        /** Check only, no usage measurement: what the daemon runs at start. */
        public static final Options CHECK = new Options(false, false);
    }

    /**
     * One inconsistency.
     *
     * @param key      the snapshot's key or name, "" when the finding has none (orphans, metastore)
     * @param path     the file or directory concerned, "" when none
     * @param repaired whether {@code --repair} fixed it
     */
    public record Finding(Problem problem, String key, String path, String detail, boolean repaired) {
        @Override
        public String toString() {
            return problem.name().toLowerCase(java.util.Locale.ROOT) + (key.isEmpty() ? "" : " " + key)
                    + (path.isEmpty() ? "" : " " + path) + ": " + detail + (repaired ? " (repaired)" : "");
        }
    }

    /** Everything found in one backend. */
    public record Report(String backend, List<Finding> findings) {
        public Report {
            findings = List.copyOf(findings);
        }

        /** Whether nothing at all was found. */
        public boolean clean() {
            return findings.isEmpty();
        }

        /** The findings that were not repaired. */
        public List<Finding> remaining() {
            return findings.stream().filter(f -> !f.repaired()).toList();
        }
    }

    private Fsck() {
    }

    /** Whether backend {@code name} has a store under {@code stateRoot} (fsck of the others would only create one). */
    public static boolean exists(String name, Path stateRoot) {
        return Files.exists(stateRoot.resolve(name).resolve("metadata.db"));
    }

    /**
     * Checks (and with {@link Options#repair} repairs) backend {@code name} under {@code stateRoot}.
     *
     * @throws io.strata.api.InvalidArgumentException for an unknown backend
     * @throws StrataException                        if the store cannot be opened at all
     */
    public static Report run(String name, Path stateRoot, Options options) {
        Path db = Backends.backendRoot(name, stateRoot).resolve("metadata.db");
        SqliteMetaStore store = SqliteMetaStore.open(db);
        List<Finding> found = new ArrayList<>();
        try {
            store.checkIntegrity();
        } catch (InternalException e) {
            found.add(new Finding(Problem.METASTORE, "", db.toString(), e.getMessage(), false));
        }
        try (DirectorySnapshotter sn = Backends.openOn(name, stateRoot, BlockOptions.DEFAULTS, store)) {
            checkStaleMounts(sn, options, found);
            checkRecords(sn, options, found);
            checkOrphans(sn, options, found);
        } catch (IOException e) {
            throw new InternalException("fsck of " + name + " under " + stateRoot + " failed: " + e.getMessage(), e);
        }
        return new Report(name, found);
    }

    private static void checkRecords(DirectorySnapshotter sn, Options options, List<Finding> found) throws IOException {
        Map<String, StoredInfo> records = new HashMap<>();
        sn.metaStore().read(tx -> {
            for (String key : tx.idMap().values()) {
                records.put(key, tx.info(key));
            }
            return null;
        });
        for (StoredInfo s : records.values()) {
            String key = s.info().name();
            Kind kind = s.info().kind();
            Optional<String> parent = s.info().parent();
            if (parent.isPresent()) {
                StoredInfo p = records.get(parent.get());
                if (p == null || p.info().kind() != Kind.COMMITTED) {
                    found.add(new Finding(Problem.BAD_PARENT, key, "", "parent " + parent.get()
                            + (p == null ? " does not exist" : " is not committed"), false));
                }
            }
            List<Path> missing = sn.requiredPaths(s.id(), kind, parent.isPresent()).stream()
                    .filter(p -> !Files.exists(p, LinkOption.NOFOLLOW_LINKS)).toList();
            if (!missing.isEmpty()) {
                found.add(missingData(sn, s, missing, options.repair()));
                continue;
            }
            Optional<String> state = sn.stateProblem(s.id(), kind);
            if (state.isPresent()) {
                if (options.repair()) {
                    sn.repairState(s.id(), kind);
                }
                found.add(new Finding(Problem.WRONG_STATE, key, sn.dirs().of(s.id()).toString(), state.get(), options.repair()));
            }
            if (options.usage() && kind == Kind.COMMITTED) {
                Usage now = sn.measure(s.id());
                if (now.size() != s.usage().size()) {
                    found.add(new Finding(Problem.USAGE_DRIFT, key, sn.usagePath(s.id()).toString(),
                            "committed with " + s.usage().size() + " bytes, now " + now.size(), false));
                }
            }
        }
    }

    private static Finding missingData(DirectorySnapshotter sn, StoredInfo s, List<Path> missing, boolean repair) {
        String key = s.info().name();
        String what = "record without its data: " + missing.stream().map(Path::toString).toList() + " missing";
        if (s.info().kind() == Kind.COMMITTED) {
            return new Finding(Problem.MISSING_DATA, key, missing.getFirst().toString(), what
                    + "; a committed snapshot is never removed by fsck, remove it yourself once nothing needs it", false);
        }
        if (repair) {
            sn.remove(key); // an active or view snapshot has no children; what is left of its directory goes too
        }
        return new Finding(Problem.MISSING_DATA, key, missing.getFirst().toString(),
                what + (repair ? "; the " + s.info().kind().toString().toLowerCase(java.util.Locale.ROOT)
                        + " snapshot was removed" : ""), repair);
    }

    private static void checkStaleMounts(DirectorySnapshotter sn, Options options, List<Finding> found) throws IOException {
        for (Path m : sn.staleMounts()) {
            if (options.repair()) {
                Mounter.unmountAll(m, Mounter.UnmountFlag.DETACH);
                Files.deleteIfExists(m);
            }
            found.add(new Finding(Problem.STALE_MOUNT, "", m.toString(),
                    "temporary mount of snapshot data left by a process that died while using it", options.repair()));
        }
    }

    private static void checkOrphans(DirectorySnapshotter sn, Options options, List<Finding> found) throws IOException {
        Map<Long, String> ids = sn.metaStore().read(tx -> tx.idMap());
        List<Path> orphans = sn.dirs().orphans(ids);
        if (orphans.isEmpty()) {
            return;
        }
        if (options.repair()) {
            sn.cleanup();
        }
        for (Path p : orphans) {
            String detail = p.getFileName().toString().startsWith("new-")
                    ? "temporary directory of an unfinished prepare" : "directory without record";
            boolean gone = !Files.exists(p, LinkOption.NOFOLLOW_LINKS);
            found.add(new Finding(Problem.ORPHAN, "", p.toString(), detail, options.repair() && gone));
        }
    }
}
