package io.strata.archive;

import io.strata.codec.tar.EntryType;
import io.strata.codec.tar.Latin1;
import io.strata.codec.tar.TarEntry;
import io.strata.codec.tar.TarWriter;
import io.strata.fs.ErrnoException;
import io.strata.fs.InputFile;
import io.strata.fs.RootDir;
import io.strata.fs.Stat;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Writes the changes between two trees as a layer tar, in a fixed order (names sorted by bytes,
 * a directory before its children) so the same trees always give the same bytes.
 *
 * <p>Two sources: an overlayfs upper directory, read directly (a 0/0 character device becomes
 * {@code .wh.NAME}, {@code trusted.overlay.opaque=y} becomes {@code .wh..wh..opq}); or two whole
 * trees compared as containerd's double walk does (same type, mode, owner, device, size, mtime,
 * link target and xattrs, and the content when both mtimes lack nanoseconds). Parent directories
 * of every change are written before it, as containerd's change writer does. Mtimes are written in
 * whole seconds and atimes not at all, as containerd writes them, which keeps PAX headers to the
 * entries that need them.
 */
final class LayerDiffer {
    private static final String OVERLAY_XATTRS = "trusted.overlay.";
    private static final Instant WHITEOUT_TIME = Instant.EPOCH;
    private static final int BUFFER = 256 * 1024;

    private final TarWriter tar;
    private final byte[] buffer = new byte[BUFFER];
    /** First name written for each (dev, ino) with several links: later names become hard links. */
    private final Map<String, String> inodes = new HashMap<>();
    /** Directories on the current path not yet written (written when something below them changes). */
    private final Deque<Pending> pending = new ArrayDeque<>();
    private long entries;

    private record Pending(String rel, RootDir tree) {
    }

    LayerDiffer(TarWriter tar) {
        this.tar = tar;
    }

    long entries() {
        return entries;
    }

    /** Every entry of an overlay upper directory, whiteouts and opaque markers converted. */
    void overlayUpper(RootDir upper) throws IOException {
        walkUpper(upper, "");
    }

    private void walkUpper(RootDir upper, String dir) throws IOException {
        for (String name : sortedNames(upper, dir)) {
            String rel = Names.child(dir, name);
            Stat st = upper.lstat(Latin1.bytes(rel)).orElseThrow();
            if (st.isCharDevice() && st.rdev() == 0) {
                whiteout(rel);
                continue;
            }
            emit(upper, rel, st);
            if (st.isDirectory()) {
                byte[] opaque = upper.xattrs(Latin1.bytes(rel)).get("trusted.overlay.opaque");
                if (opaque != null && opaque.length == 1 && opaque[0] == 'y') {
                    marker(Names.child(rel, ".wh..wh..opq"));
                }
                walkUpper(upper, rel);
            }
        }
    }

    /** The changes that turn {@code lower} (absent: an empty tree) into {@code upper}. */
    void compare(Optional<RootDir> lower, RootDir upper) throws IOException {
        walkBoth(lower.orElse(null), upper, "");
    }

    private void walkBoth(RootDir lower, RootDir upper, String dir) throws IOException {
        TreeSet<String> names = new TreeSet<>(sortedNames(upper, dir));
        List<String> lowerNames = lower == null ? List.of() : sortedNames(lower, dir);
        names.addAll(lowerNames);
        for (String name : names) {
            String rel = Names.child(dir, name);
            byte[] path = Latin1.bytes(rel);
            Optional<Stat> u = upper.lstat(path);
            Optional<Stat> l = lower == null || !lowerNames.contains(name) ? Optional.empty() : lower.lstat(path);
            if (u.isEmpty()) {
                if (l.isPresent()) {
                    whiteout(rel);
                }
                continue;
            }
            Stat us = u.get();
            if (l.isEmpty() || l.get().type() != us.type()) {
                emit(upper, rel, us);
                if (us.isDirectory()) {
                    walkBoth(null, upper, rel);
                }
                continue;
            }
            if (us.isDirectory()) {
                if (!sameMetadata(lower, upper, path, l.get(), us)) {
                    emit(upper, rel, us);
                } else {
                    pending.addLast(new Pending(rel, upper));
                }
                walkBoth(lower, upper, rel);
                if (!pending.isEmpty() && pending.peekLast().rel().equals(rel)) {
                    pending.removeLast();
                }
            } else if (!same(lower, upper, path, l.get(), us)) {
                emit(upper, rel, us);
            }
        }
    }

    private boolean sameMetadata(RootDir lower, RootDir upper, byte[] path, Stat a, Stat b) throws ErrnoException {
        return a.mode() == b.mode() && a.uid() == b.uid() && a.gid() == b.gid() && a.rdev() == b.rdev()
                && a.mtimeNanos() == b.mtimeNanos() && sameXattrs(lower.xattrs(path), upper.xattrs(path));
    }

    private boolean same(RootDir lower, RootDir upper, byte[] path, Stat a, Stat b) throws IOException {
        if (!sameMetadata(lower, upper, path, a, b) || a.size() != b.size()) {
            return false;
        }
        if (a.isSymlink()) {
            return Arrays.equals(lower.readlink(path), upper.readlink(path));
        }
        if (a.isRegular() && a.mtimeNanos() % 1_000_000_000L == 0 && b.mtimeNanos() % 1_000_000_000L == 0) {
            // Times may have been truncated to seconds on both sides: only the bytes can tell.
            return sameContent(lower, upper, path);
        }
        return true;
    }

    private boolean sameContent(RootDir lower, RootDir upper, byte[] path) throws IOException {
        byte[] other = new byte[BUFFER];
        try (InputFile a = lower.openRead(path); InputFile b = upper.openRead(path)) {
            while (true) {
                int n = readFully(a, buffer);
                int m = readFully(b, other);
                if (n != m || !Arrays.equals(buffer, 0, n, other, 0, m)) {
                    return false;
                }
                if (n < buffer.length) {
                    return true;
                }
            }
        }
    }

    private static int readFully(InputFile f, byte[] b) throws IOException {
        int n = 0;
        while (n < b.length) {
            int r = f.read(b, n, b.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n;
    }

    private static boolean sameXattrs(Map<String, byte[]> a, Map<String, byte[]> b) {
        Map<String, byte[]> x = withoutOverlay(a);
        Map<String, byte[]> y = withoutOverlay(b);
        if (!x.keySet().equals(y.keySet())) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : x.entrySet()) {
            if (!Arrays.equals(e.getValue(), y.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, byte[]> withoutOverlay(Map<String, byte[]> xattrs) {
        Map<String, byte[]> out = new java.util.TreeMap<>();
        xattrs.forEach((k, v) -> {
            if (!k.startsWith(OVERLAY_XATTRS)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private void whiteout(String rel) throws IOException {
        marker(Names.child(Names.parent(rel), ".wh." + Names.base(rel)));
    }

    private void marker(String name) throws IOException {
        flushPending();
        tar.putEntry(TarEntry.of(name, EntryType.REGULAR, 0, 0, 0, 0, WHITEOUT_TIME, ""));
        entries++;
    }

    private void flushPending() throws IOException {
        while (!pending.isEmpty()) {
            Pending p = pending.pollFirst();
            byte[] path = Latin1.bytes(p.rel());
            write(p.tree(), p.rel(), p.tree().lstat(path).orElseThrow());
        }
    }

    private void emit(RootDir tree, String rel, Stat st) throws IOException {
        flushPending();
        write(tree, rel, st);
    }

    private void write(RootDir tree, String rel, Stat st) throws IOException {
        byte[] path = Latin1.bytes(rel);
        if (st.isSocket()) {
            return; // tar cannot hold sockets; containerd skips them too
        }
        Instant mtime = Instant.ofEpochSecond(Math.floorDiv(st.mtimeNanos(), 1_000_000_000L));
        Map<String, byte[]> xattrs = new LinkedHashMap<>(withoutOverlay(tree.xattrs(path)));
        int perms = st.permissions();
        if (!st.isDirectory() && st.nlink() > 1) {
            String key = st.dev() + ":" + st.ino();
            String first = inodes.putIfAbsent(key, rel);
            if (first != null) {
                put(new TarEntry(rel, EntryType.HARDLINK, perms, st.uid(), st.gid(), "", "", 0, mtime,
                        Optional.empty(), first, 0, 0, xattrs, List.of()));
                return;
            }
        }
        EntryType type;
        String link = "";
        long size = 0;
        if (st.isRegular()) {
            type = EntryType.REGULAR;
            size = st.size();
        } else if (st.isDirectory()) {
            type = EntryType.DIRECTORY;
        } else if (st.isSymlink()) {
            type = EntryType.SYMLINK;
            link = Latin1.of(tree.readlink(path));
        } else if (st.isCharDevice()) {
            type = EntryType.CHAR_DEVICE;
        } else if (st.isBlockDevice()) {
            type = EntryType.BLOCK_DEVICE;
        } else {
            type = EntryType.FIFO;
        }
        boolean device = type == EntryType.CHAR_DEVICE || type == EntryType.BLOCK_DEVICE;
        put(new TarEntry(rel, type, perms, st.uid(), st.gid(), "", "", size, mtime, Optional.empty(), link,
                device ? st.rdevMajor() : 0, device ? st.rdevMinor() : 0, xattrs, List.of()));
        if (type == EntryType.REGULAR) {
            long left = size;
            try (InputFile in = tree.openRead(path)) {
                while (left > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) {
                        break;
                    }
                    tar.write(buffer, 0, n);
                    left -= n;
                }
            }
            tar.closeEntry();
        }
    }

    private void put(TarEntry e) throws IOException {
        tar.putEntry(e);
        entries++;
    }

    private static List<String> sortedNames(RootDir tree, String dir) throws ErrnoException {
        List<String> names = new ArrayList<>();
        for (byte[] n : tree.list(Latin1.bytes(dir))) {
            names.add(Latin1.of(n));
        }
        names.sort(null); // one char per byte: String order is byte order
        return names;
    }
}
