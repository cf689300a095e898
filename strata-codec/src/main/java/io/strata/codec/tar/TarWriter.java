package io.strata.codec.tar;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a tar stream in POSIX PAX format: a ustar header per entry, preceded by a PAX header
 * only when a value does not fit ustar (names or link targets over 100 bytes or not ASCII, numbers
 * too large, sub-second mtime, extended attributes as {@code SCHILY.xattr.*} with binary values
 * kept exactly). Output depends only on the entries and their bytes: PAX records are sorted and the
 * PAX header's own fields are fixed, so the same entries give the same archive.
 *
 * <p>Use: {@link #putEntry}, then exactly {@link TarEntry#storedSize()} bytes of {@link #write},
 * then the next {@code putEntry} or {@link #finish()}. Sparse entries are not written. Not
 * thread-safe; does not close the underlying stream.
 */
public final class TarWriter {
    private static final int BLOCK = TarReader.BLOCK;
    private static final long MAX_OCTAL_7 = 07777777L;
    private static final long MAX_OCTAL_11 = 077777777777L;

    private final OutputStream out;
    private final byte[] header = new byte[BLOCK];
    private long remaining;
    private long padding;
    private boolean inEntry;
    private String currentName;
    private long written;

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Starts an entry. A directory's name gets a trailing '/'. */
    public void putEntry(TarEntry e) throws IOException {
        closeEntry();
        if (!e.sparse().isEmpty()) {
            throw new IllegalArgumentException("writing sparse entries is not supported: " + e.displayName());
        }
        String name = e.type() == EntryType.DIRECTORY && !e.name().endsWith("/") ? e.name() + "/" : e.name();
        long size = e.type() == EntryType.REGULAR ? e.size() : 0;
        Map<String, byte[]> pax = new TreeMap<>();
        if (name.length() > 100 || !ascii(name)) {
            pax.put("path", Latin1.bytes(name));
        }
        if (e.linkName().length() > 100 || !ascii(e.linkName())) {
            pax.put("linkpath", Latin1.bytes(e.linkName()));
        }
        if (e.uid() > MAX_OCTAL_7) {
            pax.put("uid", asciiBytes(Integer.toString(e.uid())));
        }
        if (e.gid() > MAX_OCTAL_7) {
            pax.put("gid", asciiBytes(Integer.toString(e.gid())));
        }
        if (size > MAX_OCTAL_11) {
            pax.put("size", asciiBytes(Long.toString(size)));
        }
        if (e.uname().length() > 32 || !ascii(e.uname())) {
            pax.put("uname", Latin1.bytes(e.uname()));
        }
        if (e.gname().length() > 32 || !ascii(e.gname())) {
            pax.put("gname", Latin1.bytes(e.gname()));
        }
        Instant mtime = e.mtime();
        if (mtime.getNano() != 0 || mtime.getEpochSecond() < 0 || mtime.getEpochSecond() > MAX_OCTAL_11) {
            pax.put("mtime", asciiBytes(paxTime(mtime)));
        }
        e.atime().ifPresent(a -> pax.put("atime", asciiBytes(paxTime(a))));
        for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
            pax.put("SCHILY.xattr." + x.getKey(), x.getValue());
        }
        if (!pax.isEmpty()) {
            byte[] records = paxRecords(pax);
            String paxName = "PaxHeaders.0/" + base(name);
            fill(truncate(paxName, 100), (byte) 'x', 0644, 0, 0, records.length, 0, "", "", "", 0, 0);
            out.write(header);
            out.write(records);
            written += BLOCK + records.length;
            pad(((records.length + BLOCK - 1) & -BLOCK) - records.length);
        }
        fill(truncate(name, 100), e.type().flag(), e.mode(), Math.min(e.uid(), MAX_OCTAL_7),
                Math.min(e.gid(), MAX_OCTAL_7), size > MAX_OCTAL_11 ? 0 : size,
                Math.clamp(mtime.getEpochSecond(), 0, MAX_OCTAL_11), truncate(e.linkName(), 100),
                truncate(e.uname(), 32), truncate(e.gname(), 32), e.devMajor(), e.devMinor());
        out.write(header);
        written += BLOCK;
        remaining = size;
        padding = ((size + BLOCK - 1) & -BLOCK) - size;
        inEntry = true;
        currentName = e.displayName();
    }

    /** Writes content of the current entry. */
    public void write(byte[] b, int off, int len) throws IOException {
        if (len > remaining) {
            throw new IllegalStateException("writing " + len + " bytes, but " + currentName + " has " + remaining + " left");
        }
        out.write(b, off, len);
        remaining -= len;
        written += len;
    }

    /** Ends the current entry; its content must be complete. */
    public void closeEntry() throws IOException {
        if (!inEntry) {
            return;
        }
        if (remaining != 0) {
            throw new IOException(currentName + " changed while being archived: " + remaining + " bytes short");
        }
        pad(padding);
        inEntry = false;
    }

    /** Ends the archive with two zero blocks and flushes. */
    public void finish() throws IOException {
        closeEntry();
        out.write(new byte[2 * BLOCK]);
        written += 2 * BLOCK;
        out.flush();
    }

    /** Bytes written so far. */
    public long bytesWritten() {
        return written;
    }

    private void pad(long n) throws IOException {
        if (n > 0) {
            out.write(new byte[(int) n]);
            written += n;
        }
    }

    private void fill(String name, byte type, int mode, long uid, long gid, long size, long mtime, String link,
                      String uname, String gname, int major, int minor) {
        java.util.Arrays.fill(header, (byte) 0);
        put(name, 0, 100);
        octal(mode, 100, 8);
        octal(uid, 108, 8);
        octal(gid, 116, 8);
        octal(size, 124, 12);
        octal(mtime, 136, 12);
        header[156] = type;
        put(link, 157, 100);
        put("ustar", 257, 6);
        header[263] = '0';
        header[264] = '0';
        put(uname, 265, 32);
        put(gname, 297, 32);
        if (type == EntryType.CHAR_DEVICE.flag() || type == EntryType.BLOCK_DEVICE.flag()) {
            octal(major, 329, 8);
            octal(minor, 337, 8);
        }
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte x : header) {
            sum += x & 0xff;
        }
        octal(sum, 148, 7);
        header[155] = ' ';
    }

    private void put(String s, int off, int len) {
        byte[] b = Latin1.bytes(s);
        System.arraycopy(b, 0, header, off, Math.min(len, b.length));
    }

    /** {@code len - 1} octal digits, zero-padded, then NUL. */
    private void octal(long v, int off, int len) {
        for (int i = len - 2; i >= 0; i--) {
            header[off + i] = (byte) ('0' + (v & 7));
            v >>>= 3;
        }
        header[off + len - 1] = 0;
    }

    static byte[] paxRecords(Map<String, byte[]> records) {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
            int body = 1 + key.length + 1 + r.getValue().length + 1; // ' ' key '=' value '\n'
            int len = body + 1;
            while (len != body + Integer.toString(len).length()) {
                len = body + Integer.toString(len).length();
            }
            buf.writeBytes(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
            buf.write(' ');
            buf.writeBytes(key);
            buf.write('=');
            buf.writeBytes(r.getValue());
            buf.write('\n');
        }
        return buf.toByteArray();
    }

    static String paxTime(Instant t) {
        long s = t.getEpochSecond();
        int n = t.getNano();
        if (n == 0) {
            return Long.toString(s);
        }
        if (s < 0) {
            // Instant keeps nanos positive; PAX writes -1.5 for 1.5 s before the epoch.
            s += 1;
            n = 1_000_000_000 - n;
            String frac = String.format("%09d", n).replaceAll("0+$", "");
            return "-" + Math.abs(s) + "." + frac;
        }
        return s + "." + String.format("%09d", n).replaceAll("0+$", "");
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static byte[] asciiBytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String base(String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        int slash = n.lastIndexOf('/');
        return slash < 0 ? n : n.substring(slash + 1);
    }

    private static String truncate(String s, int len) {
        return s.length() <= len ? s : s.substring(0, len);
    }
}
