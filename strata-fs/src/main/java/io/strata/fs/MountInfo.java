package io.strata.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Mount points from /proc/self/mountinfo. */
final class MountInfo {
    private MountInfo() {}

    /**
     * Mount points at or below {@code root}, deepest first, one element per mount (a path with
     * three stacked mounts appears three times).
     */
    static List<String> under(Path root) throws IOException {
        String r = root.toAbsolutePath().normalize().toString();
        String prefix = r.endsWith("/") ? r : r + "/";
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] fields = line.split(" ", 6);
            if (fields.length < 5) {
                continue;
            }
            String mp = unescape(fields[4]);
            if (mp.equals(r) || mp.startsWith(prefix)) {
                out.add(mp);
            }
        }
        out.sort(Comparator.comparingInt(String::length).reversed());
        return out;
    }

    /** One mount: where it is, its file-system type and its source (what was mounted). */
    record Entry(String mountPoint, String fsType, String source) {
    }

    /** Every mount of this process's mount namespace, in mountinfo order (parents before children). */
    static List<Entry> entries() throws IOException {
        List<Entry> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            // id parent major:minor root mount-point options [optional fields...] - type source super-options
            String[] fields = line.split(" ");
            int dash = -1;
            for (int i = 6; i < fields.length; i++) {
                if (fields[i].equals("-")) {
                    dash = i;
                    break;
                }
            }
            if (fields.length < 5 || dash < 0 || dash + 2 >= fields.length) {
                continue;
            }
            out.add(new Entry(unescape(fields[4]), unescape(fields[dash + 1]), unescape(fields[dash + 2])));
        }
        return out;
    }

    /** The kernel writes space, tab, newline and backslash as three octal digits after a backslash. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
