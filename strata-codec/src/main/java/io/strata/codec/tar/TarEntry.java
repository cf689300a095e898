package io.strata.codec.tar;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One member of a tar archive, after PAX, GNU long-name and sparse headers have been folded in.
 *
 * <p>Names are byte strings held in a {@code String} one char per byte (ISO-8859-1), so names that
 * are not UTF-8 survive reading and writing unchanged; {@link #displayName()} decodes them for
 * people. {@code name} is as stored (not cleaned); {@code linkName} is the symlink target or the
 * hard-link target path.
 *
 * @param size      logical size of a regular file (the real size of a sparse file); 0 otherwise
 * @param mode      the twelve permission bits (setuid, setgid, sticky, rwx)
 * @param xattrs    extended attributes, binary values kept exactly, in archive order
 * @param sparse    data regions of a sparse file, empty for a dense one; the entry's content is
 *                  the regions' bytes back to back
 */
public record TarEntry(String name, EntryType type, int mode, int uid, int gid, String uname, String gname,
                       long size, Instant mtime, Optional<Instant> atime, String linkName, int devMajor,
                       int devMinor, Map<String, byte[]> xattrs, List<SparseRegion> sparse) {
    public TarEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mtime, "mtime");
        Objects.requireNonNull(atime, "atime");
        uname = uname == null ? "" : uname;
        gname = gname == null ? "" : gname;
        linkName = linkName == null ? "" : linkName;
        xattrs = xattrs == null ? Map.of() : xattrs;
        sparse = sparse == null ? List.of() : List.copyOf(sparse);
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size + " for " + name);
        }
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " has bits beyond 07777");
        }
    }

    /** A plain entry with no owner names, xattrs, atime or device numbers. */
    public static TarEntry of(String name, EntryType type, int mode, int uid, int gid, long size, Instant mtime,
                              String linkName) {
        return new TarEntry(name, type, mode, uid, gid, "", "", size, mtime, Optional.empty(), linkName, 0, 0,
                Map.of(), List.of());
    }

    /** Bytes of content stored in the archive for this entry. */
    public long storedSize() {
        if (type != EntryType.REGULAR) {
            return 0;
        }
        if (sparse.isEmpty()) {
            return size;
        }
        long n = 0;
        for (SparseRegion r : sparse) {
            n += r.length();
        }
        return n;
    }

    /** The name decoded as UTF-8, for messages. */
    public String displayName() {
        return Latin1.display(name);
    }

    /** The same entry with another name. */
    public TarEntry withName(String newName) {
        return new TarEntry(newName, type, mode, uid, gid, uname, gname, size, mtime, atime, linkName, devMajor,
                devMinor, xattrs, sparse);
    }
}
