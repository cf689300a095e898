package io.strata.codec.tar;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a tar stream entry by entry, without buffering entries: {@link #next()} returns the next
 * header and {@link #read} the content of the current entry. Understands ustar, GNU (long names and
 * links, old sparse, base-256 numbers, atime) and POSIX PAX (local and global records, path,
 * linkpath, size, uid, gid, uname, gname, mtime and atime with nanoseconds, {@code SCHILY.xattr.*}
 * and {@code LIBARCHIVE.xattr.*} with binary values, GNU sparse 0.0, 0.1 and 1.0).
 *
 * <p>Anything malformed is a {@link TarFormatException}: a bad checksum, a non-numeric or absurd
 * field, PAX or long-name data over 1 MiB, sparse maps that overlap or run past the file, an
 * unknown entry type, and a stream that ends anywhere but after an end-of-archive block. An empty
 * stream is an empty archive. Not thread-safe.
 */
public final class TarReader implements AutoCloseable {
    static final int BLOCK = 512;
    /** Largest PAX or GNU long-name payload accepted, as Go's archive/tar. */
    static final int MAX_META = 1 << 20;
    /** Largest size accepted for an entry: far beyond any real file, short of overflow. */
    static final long MAX_SIZE = 1L << 50;
    private static final int MAX_SPARSE_REGIONS = 1 << 20;

    private final InputStream in;
    private final byte[] block = new byte[BLOCK];
    private final Map<String, String> global = new HashMap<>();
    private long position;
    private long remaining;
    private long padding;
    private TarEntry current;
    private boolean ended;

    /** Reads from {@code in}, which should be buffered (or a decompressor) for speed. */
    public TarReader(InputStream in) {
        this.in = in;
    }

    /**
     * Moves to the next entry, skipping what is left of the current one. Empty at the end of the
     * archive; the bytes after the end-of-archive blocks are left unread in the stream.
     */
    public Optional<TarEntry> next() throws IOException {
        if (ended) {
            return Optional.empty();
        }
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
        current = null;
        Map<String, String> pax = new LinkedHashMap<>();
        List<SparseRegion> paxSparse = new ArrayList<>();
        String longName = null;
        String longLink = null;
        while (true) {
            long at = position;
            if (!readBlock()) {
                if (at == 0) {
                    ended = true;
                    return Optional.empty();
                }
                throw new TarFormatException("archive ends without an end-of-archive block (truncated?)", at);
            }
            if (isZero(block)) {
                if (!readBlock() || isZero(block)) {
                    ended = true;
                    return Optional.empty();
                }
                throw new TarFormatException("a zero block is followed by data", position - BLOCK);
            }
            TarHeader h = TarHeader.parse(block, at);
            switch (h.typeflag) {
                case 'x' -> PaxRecords.parse(readMeta(h, at), pax, paxSparse, at);
                case 'g' -> {
                    Map<String, String> g = new LinkedHashMap<>();
                    PaxRecords.parse(readMeta(h, at), g, new ArrayList<>(), at);
                    global.putAll(g);
                }
                case 'L' -> longName = cString(readMeta(h, at));
                case 'K' -> longLink = cString(readMeta(h, at));
                case 'V' -> skip(padded(h.size));
                default -> {
                    current = build(h, at, pax, paxSparse, longName, longLink);
                    return Optional.of(current);
                }
            }
        }
    }

    /** Reads content of the current entry; -1 when it is exhausted. */
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0 || len == 0) {
            return remaining <= 0 ? -1 : 0;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw truncated();
        }
        remaining -= n;
        position += n;
        return n;
    }

    /** Content bytes of the current entry not yet read. */
    public long remaining() {
        return remaining;
    }

    /** Bytes consumed from the stream so far. */
    public long position() {
        return position;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private TarEntry build(TarHeader h, long at, Map<String, String> pax, List<SparseRegion> paxSparse,
                           String longName, String longLink) throws IOException {
        Map<String, String> rec = pax;
        if (!global.isEmpty()) {
            rec = new LinkedHashMap<>(global);
            rec.putAll(pax);
        }
        String name = rec.containsKey("path") ? rec.get("path") : longName != null ? longName : h.name();
        String link = rec.containsKey("linkpath") ? rec.get("linkpath") : longLink != null ? longLink : h.linkName;
        if (name.isEmpty()) {
            throw new TarFormatException("entry with an empty name", at);
        }
        long size = rec.containsKey("size") ? PaxRecords.number(rec.get("size"), "size", MAX_SIZE, at) : h.size;
        int uid = (int) (rec.containsKey("uid") ? PaxRecords.number(rec.get("uid"), "uid", Integer.MAX_VALUE, at) : h.uid);
        int gid = (int) (rec.containsKey("gid") ? PaxRecords.number(rec.get("gid"), "gid", Integer.MAX_VALUE, at) : h.gid);
        Instant mtime = rec.containsKey("mtime") ? PaxRecords.time(rec.get("mtime"), "mtime", at) : Instant.ofEpochSecond(h.mtime);
        Optional<Instant> atime = rec.containsKey("atime") ? Optional.of(PaxRecords.time(rec.get("atime"), "atime", at))
                : h.atime > 0 ? Optional.of(Instant.ofEpochSecond(h.atime)) : Optional.empty();
        String uname = rec.getOrDefault("uname", h.uname);
        String gname = rec.getOrDefault("gname", h.gname);
        Map<String, byte[]> xattrs = PaxRecords.xattrs(rec, at);

        EntryType type;
        List<SparseRegion> sparse = List.of();
        long logical = size;
        remaining = size;
        padding = padded(size) - size;
        switch (h.typeflag) {
            case '0', 0, '7' -> type = name.endsWith("/") && h.typeflag == 0 ? EntryType.DIRECTORY : EntryType.REGULAR;
            case '1' -> type = EntryType.HARDLINK;
            case '2' -> type = EntryType.SYMLINK;
            case '3' -> type = EntryType.CHAR_DEVICE;
            case '4' -> type = EntryType.BLOCK_DEVICE;
            case '5', 'D' -> type = EntryType.DIRECTORY;
            case '6' -> type = EntryType.FIFO;
            case 'S' -> {
                type = EntryType.REGULAR;
                sparse = oldGnuSparse(h, at);
                logical = h.realSize;
            }
            default -> throw new TarFormatException("unsupported entry type '" + printable(h.typeflag) + "' for "
                    + Latin1.display(name), at);
        }
        if (type == EntryType.REGULAR && h.typeflag != 'S') {
            if ("1".equals(rec.get("GNU.sparse.major")) && "0".equals(rec.get("GNU.sparse.minor"))) {
                name = rec.getOrDefault("GNU.sparse.name", name);
                logical = PaxRecords.number(rec.getOrDefault("GNU.sparse.realsize", "0"), "GNU.sparse.realsize", MAX_SIZE, at);
                sparse = sparseMapFromData(at);
            } else if (rec.containsKey("GNU.sparse.map") || !paxSparse.isEmpty()) {
                name = rec.getOrDefault("GNU.sparse.name", name);
                logical = PaxRecords.number(rec.getOrDefault("GNU.sparse.size", rec.getOrDefault("GNU.sparse.realsize", "0")),
                        "GNU.sparse.size", MAX_SIZE, at);
                sparse = rec.containsKey("GNU.sparse.map") ? sparseMap(rec.get("GNU.sparse.map"), at) : paxSparse;
            }
            if (!sparse.isEmpty() || logical != size) {
                checkSparse(sparse, logical, remaining, name, at);
            }
        }
        if (type == EntryType.DIRECTORY && name.endsWith("/") && name.length() > 1) {
            name = name.substring(0, name.length() - 1);
        }
        long reported = type == EntryType.REGULAR ? logical : 0;
        return new TarEntry(name, type, h.mode, uid, gid, uname, gname, reported, mtime, atime, link,
                h.devMajor, h.devMinor, xattrs, sparse);
    }

    private List<SparseRegion> oldGnuSparse(TarHeader h, long at) throws IOException {
        List<SparseRegion> regions = new ArrayList<>();
        boolean more = h.parseSparse(block, 386, 4, regions, at);
        more = more || block[482] != 0;
        while (more) {
            if (!readBlock()) {
                throw truncated();
            }
            boolean stopped = TarHeader.parseSparseEntries(block, 0, 21, regions, position - BLOCK);
            more = block[504] != 0 && !stopped;
            if (regions.size() > MAX_SPARSE_REGIONS) {
                throw new TarFormatException("sparse map with too many regions", at);
            }
        }
        return regions;
    }

    /** GNU sparse 1.0: the map is decimal lines at the start of the data, padded to a block. */
    private List<SparseRegion> sparseMapFromData(long at) throws IOException {
        long before = remaining;
        long count = readDecimalLine(at);
        if (count > MAX_SPARSE_REGIONS) {
            throw new TarFormatException("sparse map with too many regions", at);
        }
        List<SparseRegion> regions = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            long off = readDecimalLine(at);
            long len = readDecimalLine(at);
            regions.add(new SparseRegion(off, len));
        }
        long used = before - remaining;
        long pad = padded(used) - used;
        if (pad > remaining) {
            throw new TarFormatException("sparse map runs past its entry", at);
        }
        skip(pad);
        remaining -= pad;
        return regions;
    }

    private long readDecimalLine(long at) throws IOException {
        long v = 0;
        int digits = 0;
        while (true) {
            if (remaining <= 0) {
                throw new TarFormatException("sparse map runs past its entry", at);
            }
            int c = in.read();
            if (c < 0) {
                throw truncated();
            }
            position++;
            remaining--;
            if (c == '\n') {
                if (digits == 0) {
                    throw new TarFormatException("empty number in sparse map", at);
                }
                return v;
            }
            if (c < '0' || c > '9' || ++digits > 18) {
                throw new TarFormatException("bad number in sparse map", at);
            }
            v = v * 10 + (c - '0');
        }
    }

    private static List<SparseRegion> sparseMap(String map, long at) throws TarFormatException {
        String[] parts = map.isEmpty() ? new String[0] : map.split(",", -1);
        if (parts.length % 2 != 0) {
            throw new TarFormatException("GNU.sparse.map has an odd number of fields", at);
        }
        List<SparseRegion> regions = new ArrayList<>();
        for (int i = 0; i < parts.length; i += 2) {
            regions.add(new SparseRegion(PaxRecords.number(parts[i], "GNU.sparse.map", MAX_SIZE, at),
                    PaxRecords.number(parts[i + 1], "GNU.sparse.map", MAX_SIZE, at)));
        }
        return regions;
    }

    private static void checkSparse(List<SparseRegion> regions, long logical, long stored, String name, long at)
            throws TarFormatException {
        long end = 0;
        long data = 0;
        for (SparseRegion r : regions) {
            if (r.offset() < end || r.offset() + r.length() > logical) {
                throw new TarFormatException("sparse map of " + Latin1.display(name)
                        + " has overlapping or out-of-range regions", at);
            }
            end = r.offset() + r.length();
            data += r.length();
        }
        if (data != stored) {
            throw new TarFormatException("sparse map of " + Latin1.display(name) + " describes " + data
                    + " bytes but the entry stores " + stored, at);
        }
    }

    private byte[] readMeta(TarHeader h, long at) throws IOException {
        if (h.size > MAX_META) {
            throw new TarFormatException("'" + (char) h.typeflag + "' header of " + h.size + " bytes exceeds "
                    + MAX_META, at);
        }
        byte[] data = new byte[(int) h.size];
        readFully(data, 0, data.length);
        skip(padded(h.size) - h.size);
        return data;
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return Latin1.of(b, 0, n);
    }

    private static String printable(int c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c);
    }

    private static long padded(long n) {
        return (n + BLOCK - 1) & -BLOCK;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** Reads one block; false on a clean end of stream, a truncation error inside a block. */
    private boolean readBlock() throws IOException {
        int n = 0;
        while (n < BLOCK) {
            int r = in.read(block, n, BLOCK - n);
            if (r < 0) {
                if (n == 0) {
                    return false;
                }
                throw truncated();
            }
            n += r;
        }
        position += BLOCK;
        return true;
    }

    private void readFully(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int r = in.read(b, off, len);
            if (r < 0) {
                throw truncated();
            }
            off += r;
            len -= r;
            position += r;
        }
    }

    private void skip(long n) throws IOException {
        byte[] scratch = null;
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (scratch == null) {
                    scratch = new byte[(int) Math.min(n, 64 * 1024)];
                }
                int r = in.read(scratch, 0, (int) Math.min(n, scratch.length));
                if (r < 0) {
                    throw truncated();
                }
                s = r;
            }
            n -= s;
            position += s;
        }
    }

    private TarFormatException truncated() {
        String what = current == null ? "" : " in " + current.displayName();
        return new TarFormatException("unexpected end of archive" + what + " (truncated?)", position);
    }
}
