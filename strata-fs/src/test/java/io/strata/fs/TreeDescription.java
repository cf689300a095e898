package io.strata.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One line of metadata per path of a tree, for comparing a copy with its source. All stats are
 * taken before any file is read, so reading contents cannot disturb the recorded atimes.
 */
final class TreeDescription {
    private TreeDescription() {}

    static Map<String, String> of(Path root) throws IOException {
        List<Path> paths;
        try (Stream<Path> s = Files.walk(root)) {
            paths = s.sorted().toList();
        }
        Map<Path, Stat> stats = new TreeMap<>();
        for (Path p : paths) {
            stats.put(p, Stat.lstat(p));
        }
        Map<Long, TreeSet<String>> linkGroups = new TreeMap<>();
        for (Path p : paths) {
            Stat st = stats.get(p);
            if (st.isRegular() && st.nlink() > 1) {
                linkGroups.computeIfAbsent(st.ino(), k -> new TreeSet<>()).add(rel(root, p));
            }
        }
        Map<String, String> out = new TreeMap<>();
        for (Path p : paths) {
            Stat st = stats.get(p);
            StringBuilder sb = new StringBuilder();
            sb.append("type=").append(Integer.toOctalString(st.type()))
                    .append(" mode=").append(Integer.toOctalString(st.permissions()))
                    .append(" uid=").append(st.uid()).append(" gid=").append(st.gid())
                    .append(" mtime=").append(st.mtimeNanos());
            if (!st.isDirectory()) {
                sb.append(" atime=").append(st.atimeNanos());
            }
            if (st.isRegular()) {
                sb.append(" size=").append(st.size())
                        .append(" content=").append(java.util.Arrays.hashCode(Files.readAllBytes(p)));
                if (st.nlink() > 1) {
                    sb.append(" links=").append(linkGroups.get(st.ino()));
                }
            } else if (st.isSymlink()) {
                sb.append(" target=").append(Files.readSymbolicLink(p));
            } else if (st.isCharDevice() || st.isBlockDevice()) {
                sb.append(" rdev=").append(st.rdevMajor()).append(':').append(st.rdevMinor());
            }
            List<String> names = new ArrayList<>(FileOps.listXattrs(p));
            names.sort(null);
            for (String n : names) {
                sb.append(" xattr:").append(n).append('=').append(HexFormat.of().formatHex(FileOps.getXattr(p, n)));
            }
            out.put(rel(root, p), sb.toString());
        }
        return out;
    }

    private static String rel(Path root, Path p) {
        String r = root.relativize(p).toString();
        return r.isEmpty() ? "/" : r;
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
