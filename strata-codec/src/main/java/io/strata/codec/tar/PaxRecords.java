package io.strata.codec.tar;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** POSIX PAX extended header records (and the GNU sparse and xattr records carried in them), as Go's archive/tar reads them. */
final class PaxRecords {
    private PaxRecords() {
    }

    /** The {@code SCHILY.xattr.*} and {@code LIBARCHIVE.xattr.*} records as extended attributes; null for none. */
    static Map<String, byte[]> xattrs(Map<String, String> rec, long at) throws TarFormatException {
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

    /** Parses the records of a PAX header into {@code out}; GNU sparse 0.0 offset/numbytes pairs go to {@code sparse}. */
    static void parse(byte[] data, Map<String, String> out, List<SparseRegion> sparse, long at)
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
                case "GNU.sparse.offset" -> pendingOffset = number(value, key, TarReader.MAX_SIZE, at);
                case "GNU.sparse.numbytes" -> {
                    if (pendingOffset == null) {
                        throw new TarFormatException("GNU.sparse.numbytes without an offset", at);
                    }
                    sparse.add(new SparseRegion(pendingOffset, number(value, key, TarReader.MAX_SIZE, at)));
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

    /** A decimal PAX value in [0, {@code max}]. */
    static long number(String v, String key, long max, long at) throws TarFormatException {
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
    static Instant time(String v, String key, long at) throws TarFormatException {
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
        long s = secs.isEmpty() ? 0 : number(secs, key, 1L << 40, at);
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
}
