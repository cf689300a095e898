package io.strata.codec.tar;

import java.util.List;

/** The fixed fields of one 512-byte tar header block: ustar, GNU and old-GNU sparse entries. */
final class TarHeader {
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

    static TarHeader parse(byte[] b, long at) throws TarFormatException {
        checkChecksum(b, at);
        TarHeader h = new TarHeader();
        h.typeflag = b[156] & 0xff;
        h.rawName = str(b, 0, 100);
        h.mode = (int) (number(b, 100, 8, "mode", at) & 07777);
        h.uid = number(b, 108, 8, "uid", at);
        h.gid = number(b, 116, 8, "gid", at);
        if (h.uid > Integer.MAX_VALUE || h.gid > Integer.MAX_VALUE) {
            throw new TarFormatException("uid/gid out of range in header of " + Latin1.display(h.rawName), at);
        }
        h.size = number(b, 124, 12, "size", at);
        if (h.size > TarReader.MAX_SIZE) {
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
                if (h.realSize > TarReader.MAX_SIZE) {
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
        for (int i = 0; i < TarReader.BLOCK; i++) {
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
