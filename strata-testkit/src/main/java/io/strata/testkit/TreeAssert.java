package io.strata.testkit;

import io.strata.fs.FileOps;
import io.strata.fs.Stat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares two directory trees the way containerd's {@code fstest.CheckDirectoryEqual} does:
 * the same paths, and for each the same type, permission bits (with setuid, setgid and sticky),
 * owner, group, content (regular files), target (symbolic links), device number and xattrs.
 * Times, directory sizes and link counts are not compared by {@link #assertSameTree(Path, Path)};
 * {@link #assertSameTreeExactly} adds modification times (to the nanosecond) and link counts of
 * everything below the root.
 */
public final class TreeAssert {
    private TreeAssert() {
    }

    /** Throws an {@link AssertionError} listing every difference between the two trees. */
    public static void assertSameTree(Path expected, Path actual) throws IOException {
        compare(expected, actual, describe(expected), describe(actual));
    }

    /** As {@link #assertSameTree}, also comparing mtimes and link counts below the root. */
    public static void assertSameTreeExactly(Path expected, Path actual) throws IOException {
        compare(expected, actual, describe(expected, true), describe(actual, true));
    }

    private static void compare(Path expected, Path actual, Map<String, String> e, Map<String, String> a) {
        List<String> diffs = new ArrayList<>();
        for (var entry : e.entrySet()) {
            String other = a.get(entry.getKey());
            if (other == null) {
                diffs.add("missing " + entry.getKey() + " (" + entry.getValue() + ")");
            } else if (!other.equals(entry.getValue())) {
                diffs.add("differs " + entry.getKey() + ": expected " + entry.getValue() + " but was " + other);
            }
        }
        for (var entry : a.entrySet()) {
            if (!e.containsKey(entry.getKey())) {
                diffs.add("unexpected " + entry.getKey() + " (" + entry.getValue() + ")");
            }
        }
        if (!diffs.isEmpty()) {
            throw new AssertionError("trees differ: " + expected + " vs " + actual + "\n  " + String.join("\n  ", diffs));
        }
    }

    /** One line of metadata per path, keyed by the path relative to the root ("/" for the root). */
    public static Map<String, String> describe(Path root) throws IOException {
        return describe(root, false);
    }

    /** {@link #describe(Path)}, with mtimes and link counts below the root when {@code exact}. */
    public static Map<String, String> describe(Path root, boolean exact) throws IOException {
        Map<String, String> out = new TreeMap<>();
        describe(root, root, out, exact);
        return out;
    }

    private static void describe(Path root, Path p, Map<String, String> out, boolean exact) throws IOException {
        Stat st = Stat.lstat(p);
        StringBuilder sb = new StringBuilder();
        int type = st.mode() & 0170000;
        sb.append(typeName(type)).append(" mode=").append(Integer.toOctalString(st.mode() & 07777))
                .append(" uid=").append(st.uid()).append(" gid=").append(st.gid());
        if (st.isRegular()) {
            byte[] content = Files.readAllBytes(p);
            sb.append(" size=").append(content.length).append(" sha=").append(Integer.toHexString(Arrays.hashCode(content)));
        } else if (st.isSymlink()) {
            sb.append(" target=").append(Files.readSymbolicLink(p));
        } else if (type == 0020000 || type == 0060000) {
            sb.append(" rdev=").append(st.rdev());
        }
        for (String name : new java.util.TreeSet<>(FileOps.listXattrs(p))) {
            sb.append(" xattr:").append(name).append('=').append(HexFormat.of().formatHex(FileOps.getXattr(p, name)));
        }
        String rel = root.relativize(p).toString();
        if (exact && !rel.isEmpty()) {
            sb.append(" mtime=").append(st.mtime());
            if (!st.isDirectory()) {
                sb.append(" nlink=").append(st.nlink());
            }
        }
        out.put(rel.isEmpty() ? "/" : "/" + rel, sb.toString());
        if (st.isDirectory()) {
            try (var s = Files.list(p)) {
                for (Path c : (Iterable<Path>) s::iterator) {
                    describe(root, c, out, exact);
                }
            }
        }
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0040000 -> "dir";
            case 0100000 -> "file";
            case 0120000 -> "symlink";
            case 0020000 -> "chardev";
            case 0060000 -> "blockdev";
            case 0010000 -> "fifo";
            case 0140000 -> "socket";
            default -> "type" + Integer.toOctalString(type);
        };
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
