package io.strata.archive;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs this process out of file descriptors, the honest way: every free descriptor below the
 * RLIMIT_NOFILE soft limit is taken (by opening {@code /dev/null}) until open(2) fails with
 * EMFILE, so the code under test meets the real error at whatever open it does next. To keep that
 * cheap, the soft limit is lowered (with util-linux {@code prlimit} on this process) to a little
 * above the descriptors in use, and put back by {@link #close}.
 */
final class Descriptors implements AutoCloseable {
    /** How many descriptors above those in use the lowered limit leaves (held while exhausted). */
    private static final int ROOM = 256;

    private final long pid = ProcessHandle.current().pid();
    private final String original;

    private Descriptors(String original) {
        this.original = original;
    }

    /** Lowers this process's soft limit to {@value #ROOM} above its highest descriptor. */
    static Descriptors limited() throws Exception {
        String original = soft();
        int highest = inUse().stream().mapToInt(Integer::parseInt).max().orElse(2);
        Descriptors d = new Descriptors(original);
        d.prlimit(Integer.toString(highest + 1 + ROOM));
        return d;
    }

    /**
     * Takes every free descriptor and gives {@code leave} back, so the next {@code leave} opens
     * succeed and the one after fails with EMFILE. Closing the result releases them all.
     */
    Exhaustion exhaust(int leave) {
        List<FileInputStream> held = new ArrayList<>();
        try {
            while (true) {
                held.add(new FileInputStream("/dev/null"));
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("Too many open files")) {
                Exhaustion.closeAll(held);
                throw new AssertionError("filling the descriptor table failed otherwise", full);
            }
        }
        if (held.size() < leave) {
            Exhaustion.closeAll(held);
            throw new AssertionError("only " + held.size() + " descriptors were free, " + leave + " to leave");
        }
        Exhaustion.closeAll(held.subList(held.size() - leave, held.size())); // clears that part of held
        return new Exhaustion(held);
    }

    /** Descriptors held until closed. */
    static final class Exhaustion implements AutoCloseable {
        private final List<FileInputStream> held;

        private Exhaustion(List<FileInputStream> held) {
            this.held = held;
        }

        @Override
        public void close() {
            closeAll(held);
        }

        private static void closeAll(List<FileInputStream> streams) {
            for (FileInputStream s : streams) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // /dev/null
                }
            }
            streams.clear();
        }
    }

    /**
     * What the descriptors of this process point at, sorted, for comparing before and after (by
     * target, not number: a descriptor closed and opened again may get another number).
     */
    static List<String> open() throws IOException {
        List<String> out = new ArrayList<>();
        for (String fd : inUse()) {
            try {
                out.add(Files.readSymbolicLink(Path.of("/proc/self/fd", fd)).toString());
            } catch (IOException gone) {
                // the descriptor listing the directory itself, closed by now
            }
        }
        out.sort(null);
        return out;
    }

    private static List<String> inUse() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String soft() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (l.startsWith("Max open files")) {
                return l.substring("Max open files".length()).strip().split("\\s+")[0];
            }
        }
        throw new IOException("no open-file limit in /proc/self/limits");
    }

    private void prlimit(String soft) throws Exception {
        Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(pid), "--nofile=" + soft + ":")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) {
            throw new AssertionError("prlimit --nofile=" + soft + ": failed: " + out);
        }
    }

    /** Puts the original soft limit back. */
    @Override
    public void close() throws Exception {
        prlimit(original);
    }

    /**
     * Reads what the JVM would otherwise read from a file the first time it is needed, so that the
     * fault stays in the code under test: every class of the class path's directories (in a reactor
     * build sibling modules are directories, and loading a class opens its file; from jars, as in
     * production, it needs no descriptor), loaded without initialising, and the time-zone rules
     * that the first log line reads to print its date (a long-running process has logged before).
     */
    static void preload() throws IOException {
        java.time.ZonedDateTime.now().getOffset();
        ClassLoader loader = Descriptors.class.getClassLoader();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path dir = Path.of(entry);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path f : s.filter(p -> p.toString().endsWith(".class")).toList()) {
                    String rel = dir.relativize(f).toString();
                    String name = rel.substring(0, rel.length() - ".class".length()).replace('/', '.');
                    if (name.endsWith("module-info") || name.endsWith("package-info")) {
                        continue;
                    }
                    try {
                        Class.forName(name, false, loader);
                    } catch (ClassNotFoundException | LinkageError unloadable) {
                        // a class needing an optional dependency: not on any path under test
                    }
                }
            }
        }
    }
}
