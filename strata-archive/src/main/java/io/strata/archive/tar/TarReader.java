package io.strata.archive.tar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
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
            Header h = Header.parse(block, at);
            switch (h.typeflag) {
                case 'x' -> parsePax(readMeta(h, at), pax, paxSparse, at);
                case 'g' -> {
                    Map<String, String> g = new LinkedHashMap<>();
                    parsePax(readMeta(h, at), g, new ArrayList<>(), at);
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

    private TarEntry build(Header h, long at, Map<String, String> pax, List<SparseRegion> paxSparse,
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
        long size = rec.containsKey("size") ? paxNumber(rec.get("size"), "size", MAX_SIZE, at) : h.size;
        int uid = (int) (rec.containsKey("uid") ? paxNumber(rec.get("uid"), "uid", Integer.MAX_VALUE, at) : h.uid);
        int gid = (int) (rec.containsKey("gid") ? paxNumber(rec.get("gid"), "gid", Integer.MAX_VALUE, at) : h.gid);
        Instant mtime = rec.containsKey("mtime") ? paxTime(rec.get("mtime"), "mtime", at) : Instant.ofEpochSecond(h.mtime);
        Optional<Instant> atime = rec.containsKey("atime") ? Optional.of(paxTime(rec.get("atime"), "atime", at))
                : h.atime > 0 ? Optional.of(Instant.ofEpochSecond(h.atime)) : Optional.empty();
        String uname = rec.getOrDefault("uname", h.uname);
        String gname = rec.getOrDefault("gname", h.gname);
        Map<String, byte[]> xattrs = xattrs(rec, at);

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
                logical = paxNumber(rec.getOrDefault("GNU.sparse.realsize", "0"), "GNU.sparse.realsize", MAX_SIZE, at);
                sparse = sparseMapFromData(at);
            } else if (rec.containsKey("GNU.sparse.map") || !paxSparse.isEmpty()) {
                name = rec.getOrDefault("GNU.sparse.name", name);
                logical = paxNumber(rec.getOrDefault("GNU.sparse.size", rec.getOrDefault("GNU.sparse.realsize", "0")),
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

    private static Map<String, byte[]> xattrs(Map<String, String> rec, long at) throws TarFormatException {
        Map<String, byte[]> xattrs = null;
        for (Map.Entry<String, String> e : rec.entrySet()) {
            String key = e.getKey();
            String name;
            byte[] value;
            if (key.startsWith("SCHILY.xattr.")) {
                name = key.substring("SCHILY.xattr.".length());
                value = Latin1.bytes(e.getValue());
            } else if (key.startsWith("LIBARCHIVE.xattr.")) {
                name = java.net.URLDecoder.decode(key.substring("LIBARCHIVE.xattr.".length()), StandardCharsets.ISO_8859_1);
                try {
                    value = Base64.getDecoder().decode(Latin1.bytes(e.getValue()).length % 4 == 0
                            ? e.getValue() : e.getValue() + "=".repeat(4 - Latin1.bytes(e.getValue()).length % 4));
                } catch (IllegalArgumentException ex) {
                    throw new TarFormatException("bad base64 in PAX record " + key, at);
                }
            } else {
                continue;
            }
            if (name.isEmpty()) {
                throw new TarFormatException("PAX xattr record with an empty name", at);
            }
            if (xattrs == null) {
                xattrs = new LinkedHashMap<>();
            }
            xattrs.putIfAbsent(name, value);
        }
        return xattrs == null ? Map.of() : xattrs;
    }

    private List<SparseRegion> oldGnuSparse(Header h, long at) throws IOException {
        List<SparseRegion> regions = new ArrayList<>();
        boolean more = h.parseSparse(block, 386, 4, regions, at);
        more = more || block[482] != 0;
        while (more) {
            if (!readBlock()) {
                throw truncated();
            }
            boolean stopped = Header.parseSparseEntries(block, 0, 21, regions, position - BLOCK);
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
            regions.add(new SparseRegion(paxNumber(parts[i], "GNU.sparse.map", MAX_SIZE, at),
                    paxNumber(parts[i + 1], "GNU.sparse.map", MAX_SIZE, at)));
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

    private byte[] readMeta(Header h, long at) throws IOException {
        if (h.size > MAX_META) {
            throw new TarFormatException("'" + (char) h.typeflag + "' header of " + h.size + " bytes exceeds "
                    + MAX_META, at);
        }
        byte[] data = new byte[(int) h.size];
        readFully(data, 0, data.length);
        skip(padded(h.size) - h.size);
        return data;
    }

    private static void parsePax(byte[] data, Map<String, String> out, List<SparseRegion> sparse, long at)
            throws TarFormatException {
        int i = 0;
        Long pendingOffset = null;
        while (i < data.length) {
            int lenEnd = i;
            long len = 0;
            while (lenEnd < data.length && data[lenEnd] != ' ') {
                byte c = data[lenEnd];
                if (c < '0' || c > '9' || lenEnd - i > 9) {
                    throw new TarFormatException("malformed PAX record", at);
                }
                len = len * 10 + (c - '0');
                lenEnd++;
            }
            if (lenEnd == i || len < lenEnd - i + 4 || i + len > data.length || data[(int) (i + len - 1)] != '\n') {
                throw new TarFormatException("malformed PAX record", at);
            }
            int recEnd = (int) (i + len - 1);
            int eq = -1;
            for (int k = lenEnd + 1; k < recEnd; k++) {
                if (data[k] == '=') {
                    eq = k;
                    break;
                }
            }
            if (eq <= lenEnd + 1) {
                throw new TarFormatException("malformed PAX record", at);
            }
            String key = new String(data, lenEnd + 1, eq - lenEnd - 1, StandardCharsets.UTF_8);
            String value = Latin1.of(data, eq + 1, recEnd - eq - 1);
            switch (key) {
                case "GNU.sparse.offset" -> pendingOffset = paxNumber(value, key, MAX_SIZE, at);
                case "GNU.sparse.numbytes" -> {
                    if (pendingOffset == null) {
                        throw new TarFormatException("GNU.sparse.numbytes without an offset", at);
                    }
                    sparse.add(new SparseRegion(pendingOffset, paxNumber(value, key, MAX_SIZE, at)));
                    pendingOffset = null;
                }
                default -> {
                    if (key.indexOf('\0') >= 0) {
                        throw new TarFormatException("NUL in PAX key", at);
                    }
                    out.put(key, value);
                }
            }
            i = (int) (i + len);
        }
    }

    private static long paxNumber(String v, String key, long max, long at) throws TarFormatException {
        if (v.isEmpty() || v.length() > 19) {
            throw new TarFormatException("bad PAX " + key + " '" + v + "'", at);
        }
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                throw new TarFormatException("bad PAX " + key + " '" + v + "'", at);
            }
            n = n * 10 + (c - '0');
            if (n > max || n < 0) {
                throw new TarFormatException("PAX " + key + " " + v + " is out of range", at);
            }
        }
        return n;
    }

    /** "seconds[.fraction]", possibly negative; the fraction is cut to nanoseconds. */
    static Instant paxTime(String v, String key, long at) throws TarFormatException {
        int dot = v.indexOf('.');
        String secs = dot < 0 ? v : v.substring(0, dot);
        String frac = dot < 0 ? "" : v.substring(dot + 1);
        boolean negative = secs.startsWith("-");
        if (negative) {
            secs = secs.substring(1);
        }
        if (secs.isEmpty() && frac.isEmpty()) {
            throw new TarFormatException("bad PAX " + key + " '" + v + "'", at);
        }
        long s = secs.isEmpty() ? 0 : paxNumber(secs, key, 1L << 40, at);
        long nanos = 0;
        for (int i = 0; i < 9; i++) {
            char c = i < frac.length() ? frac.charAt(i) : '0';
            if (c < '0' || c > '9') {
                throw new TarFormatException("bad PAX " + key + " '" + v + "'", at);
            }
            nanos = nanos * 10 + (c - '0');
        }
        for (int i = 9; i < frac.length(); i++) {
            if (frac.charAt(i) < '0' || frac.charAt(i) > '9') {
                throw new TarFormatException("bad PAX " + key + " '" + v + "'", at);
            }
        }
        return negative ? Instant.ofEpochSecond(-s, -nanos) : Instant.ofEpochSecond(s, nanos);
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

    /** The fixed fields of one 512-byte header block. */
    private static final class Header {
        int typeflag;
        String rawName;
        String prefix;
        int mode;
        long uid;
        long gid;
        long size;
        long mtime;
        long atime;
        long realSize;
        String linkName;
        String uname;
        String gname;
        int devMajor;
        int devMinor;

        static Header parse(byte[] b, long at) throws TarFormatException {
            checkChecksum(b, at);
            Header h = new Header();
            h.typeflag = b[156] & 0xff;
            h.rawName = str(b, 0, 100);
            h.mode = (int) (number(b, 100, 8, "mode", at) & 07777);
            h.uid = number(b, 108, 8, "uid", at);
            h.gid = number(b, 116, 8, "gid", at);
            if (h.uid > Integer.MAX_VALUE || h.gid > Integer.MAX_VALUE) {
                throw new TarFormatException("uid/gid out of range in header of " + Latin1.display(h.rawName), at);
            }
            h.size = number(b, 124, 12, "size", at);
            if (h.size > MAX_SIZE) {
                throw new TarFormatException("absurd size " + h.size + " for " + Latin1.display(h.rawName), at);
            }
            h.mtime = signedNumber(b, 136, 12, "mtime", at);
            h.linkName = str(b, 157, 100);
            boolean ustar = b[257] == 'u' && b[258] == 's' && b[259] == 't' && b[260] == 'a' && b[261] == 'r';
            boolean gnu = ustar && b[262] == ' ';
            if (ustar) {
                h.uname = str(b, 265, 32);
                h.gname = str(b, 297, 32);
                if (h.typeflag == '3' || h.typeflag == '4') {
                    long major = number(b, 329, 8, "devmajor", at);
                    long minor = number(b, 337, 8, "devminor", at);
                    if (major > 0xfff || minor > 0xfffff) {
                        throw new TarFormatException("device number out of range", at);
                    }
                    h.devMajor = (int) major;
                    h.devMinor = (int) minor;
                }
            } else {
                h.uname = "";
                h.gname = "";
            }
            if (gnu) {
                h.prefix = "";
                h.atime = signedNumber(b, 345, 12, "atime", at);
                if (h.typeflag == 'S') {
                    h.realSize = number(b, 483, 12, "realsize", at);
                    if (h.realSize > MAX_SIZE) {
                        throw new TarFormatException("absurd sparse size " + h.realSize, at);
                    }
                }
            } else {
                h.prefix = ustar ? str(b, 345, 155) : "";
            }
            return h;
        }

        String name() {
            return prefix.isEmpty() ? rawName : prefix + "/" + rawName;
        }

        boolean parseSparse(byte[] b, int off, int count, List<SparseRegion> out, long at) throws TarFormatException {
            return !parseSparseEntries(b, off, count, out, at);
        }

        /** Parses up to {@code count} (offset, length) pairs; true if an empty pair ended the list. */
        static boolean parseSparseEntries(byte[] b, int off, int count, List<SparseRegion> out, long at)
                throws TarFormatException {
            for (int i = 0; i < count; i++) {
                int p = off + i * 24;
                if (b[p] == 0 && b[p + 12] == 0) {
                    return true;
                }
                out.add(new SparseRegion(number(b, p, 12, "sparse offset", at), number(b, p + 12, 12, "sparse length", at)));
            }
            return false;
        }

        private static void checkChecksum(byte[] b, long at) throws TarFormatException {
            long stored = number(b, 148, 8, "checksum", at);
            long unsigned = 0;
            long signed = 0;
            for (int i = 0; i < BLOCK; i++) {
                int v = i >= 148 && i < 156 ? ' ' : b[i];
                unsigned += v & 0xff;
                signed += i >= 148 && i < 156 ? ' ' : b[i];
            }
            if (stored != unsigned && stored != signed) {
                throw new TarFormatException("header checksum mismatch (not a tar archive, or corrupt)", at);
            }
        }

        private static String str(byte[] b, int off, int len) {
            int n = 0;
            while (n < len && b[off + n] != 0) {
                n++;
            }
            return Latin1.of(b, off, n);
        }

        private static long number(byte[] b, int off, int len, String field, long at) throws TarFormatException {
            long v = signedNumber(b, off, len, field, at);
            if (v < 0) {
                throw new TarFormatException("negative " + field + " in header", at);
            }
            return v;
        }

        /** Octal (spaces/NULs around it) or GNU base-256 (high bit of the first byte set). */
        private static long signedNumber(byte[] b, int off, int len, String field, long at) throws TarFormatException {
            if ((b[off] & 0x80) != 0) {
                boolean negative = (b[off] & 0x40) != 0;
                long v = negative ? -1 : 0;
                int first = b[off] & 0x7f;
                v = (v << 7) | (negative ? first | ~0x7fL : first);
                for (int i = 1; i < len; i++) {
                    if (!negative && (v >>> 55) != 0 || negative && (v >> 55) != -1) {
                        throw new TarFormatException(field + " overflows in header", at);
                    }
                    v = (v << 8) | (b[off + i] & 0xff);
                }
                return v;
            }
            int i = off;
            int end = off + len;
            while (i < end && (b[i] == ' ' || b[i] == 0)) {
                i++;
            }
            long v = 0;
            int digits = 0;
            while (i < end && b[i] >= '0' && b[i] <= '7') {
                v = (v << 3) | (b[i] - '0');
                i++;
                if (++digits > 21) {
                    throw new TarFormatException(field + " overflows in header", at);
                }
            }
            while (i < end) {
                if (b[i] != ' ' && b[i] != 0) {
                    throw new TarFormatException("non-octal " + field + " field in header", at);
                }
                i++;
            }
            return v;
        }
    }
}
