package io.strata.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads /proc/self/mountinfo in tests. */
final class MountTable {
    record Entry(String mountPoint, String options, String optional, String fsType, String source, String superOptions) {}

    private MountTable() {}

    static List<Entry> entries() throws IOException {
        List<Entry> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            int dash = java.util.Arrays.asList(f).indexOf("-");
            String optional = String.join(" ", java.util.Arrays.copyOfRange(f, 6, dash));
            out.add(new Entry(unescape(f[4]), f[5], optional, f[dash + 1], unescape(f[dash + 2]), f[dash + 3]));
        }
        return out;
    }

    static List<Entry> at(Path p) throws IOException {
        String s = p.toAbsolutePath().normalize().toString();
        return entries().stream().filter(e -> e.mountPoint().equals(s)).toList();
    }

    static boolean isMounted(Path p) throws IOException {
        return !at(p).isEmpty();
    }

    /** Everything mounted at or below {@code p}. */
    static List<Entry> under(Path p) throws IOException {
        String s = p.toAbsolutePath().normalize().toString();
        return entries().stream().filter(e -> e.mountPoint().equals(s) || e.mountPoint().startsWith(s + "/")).toList();
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Unmounts everything at or below {@code p}, deepest first; for @AfterEach. */
    static void cleanUnder(Path p) throws IOException {
        for (int round = 0; round < 100; round++) {
            List<Entry> left = under(p);
            if (left.isEmpty()) {
                return;
            }
            Entry deepest = left.stream().max(java.util.Comparator.comparingInt(e -> e.mountPoint().length())).get();
            Mounter.unmount(Path.of(deepest.mountPoint()), Mounter.UnmountFlag.DETACH);
        }
        throw new IllegalStateException("mounts left under " + p + ": " + under(p));
    }
}
