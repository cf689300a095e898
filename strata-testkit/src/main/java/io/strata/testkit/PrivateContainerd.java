package io.strata.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real containerd of the test's own: its own root, state, socket and config. Strata's part of the
 * config is a file containerd loads through {@code imports}: the one {@code strata daemon
 * --print-containerd-config} prints, given to {@link #start} as it is. Everything it starts
 * (containerd, shims, containers, mounts) is stopped by {@link #close()}, even after a failure.
 * Runs Debian 12's containerd 1.6 ({@link Install#system()}) or containerd 2.1 from the tool directory
 * {@code .ci/containerd2} fills ({@link Install#containerd2()}), both with the system's runc.
 */
public final class PrivateContainerd implements AutoCloseable {
    /** The namespace the test's ctr commands use. */
    public static final String NAMESPACE = "strata-test";

    /** Where a containerd's binaries are, and which major version it is. */
    public record Install(String name, int major, Path bin) {
        /** Debian 12's containerd 1.6 in /usr/bin. */
        public static Install system() {
            return new Install("containerd-1.6", 1, Path.of("/usr/bin"));
        }

        /** containerd 2.1 under {@code $STRATA_CONTAINERD2_HOME} (default /opt/strata-tools/containerd-2.1). */
        public static Install containerd2() {
            String home = System.getenv().getOrDefault("STRATA_CONTAINERD2_HOME", "/opt/strata-tools/containerd-2.1");
            return new Install("containerd-2.1", 2, Path.of(home, "usr", "bin"));
        }

        /** True when containerd, ctr, its shim and runc are there. */
        public boolean available() {
            return Files.isExecutable(bin.resolve("containerd")) && Files.isExecutable(bin.resolve("ctr"))
                    && Files.isExecutable(bin.resolve("containerd-shim-runc-v2"))
                    && (Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc")));
        }

        /** The config version this containerd reads: 2 for 1.x, 3 for 2.x. */
        public int configVersion() {
            return major >= 2 ? 3 : 2;
        }

        /** The containerd --print-containerd-config --format needs for this one. */
        public String format() {
            return "v" + configVersion();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final Path dir;
    private final Install install;
    private final Path socket;
    private final Process process;

    private PrivateContainerd(Path dir, Install install, Path socket, Process process) {
        this.dir = dir;
        this.install = install;
        this.socket = socket;
        this.process = process;
    }

    /** True when Debian's containerd 1.6, ctr and runc are installed. */
    public static boolean available() {
        return Install.system().available();
    }

    /**
     * Starts containerd {@code install} under {@code dir}, importing {@code strataConfig} (what
     * {@code strata daemon --print-containerd-config} printed for this containerd) unchanged.
     */
    public static PrivateContainerd start(Path dir, Install install, String strataConfig)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path socket = dir.resolve("containerd.sock");
        Path config = dir.resolve("config.toml");
        Path imported = Files.writeString(dir.resolve("strata.toml"), strataConfig);
        // The CRI needs networking this test has no use for; its plugin ids changed in 2.0.
        String cri = install.major() >= 2
                ? "\"io.containerd.grpc.v1.cri\", \"io.containerd.cri.v1.runtime\""
                : "\"io.containerd.grpc.v1.cri\"";
        Files.writeString(config, """
                version = %4$d
                root = "%1$s/root"
                state = "%1$s/state"
                imports = ["%3$s"]
                disabled_plugins = [%5$s]

                [grpc]
                  address = "%2$s"

                [ttrpc]
                  address = "%2$s.ttrpc"
                """.formatted(dir, socket, imported, install.configVersion(), cri));
        ProcessBuilder pb = new ProcessBuilder(install.bin().resolve("containerd").toString(), "--config", config.toString(),
                "--log-level", "info").redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile());
        // containerd looks for its shim on PATH first: this containerd's own.
        pb.environment().put("PATH", install.bin() + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        Process p = pb.start();
        PrivateContainerd c = new PrivateContainerd(dir, install, socket, p);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new IOException("containerd exited " + p.exitValue() + ": " + c.log());
            }
            if (Files.exists(socket) && c.ctrResult("version").code() == 0) {
                return c;
            }
            if (System.nanoTime() > deadline) {
                c.close();
                throw new IOException("containerd did not start in 30 s: " + c.log());
            }
            Thread.sleep(100);
        }
    }

    /** Which containerd this is. */
    public Install install() {
        return install;
    }

    /** The output of a finished command. */
    public record Result(int code, String out) {
    }

    /** Runs {@code ctr} against this containerd in {@link #NAMESPACE}. */
    public Result ctrResult(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(install.bin().resolve("ctr").toString(), "--address", socket.toString(),
                "--namespace", NAMESPACE));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("ctr " + String.join(" ", args) + " did not finish in 120 s: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    /** Runs {@code ctr}, failing with its output unless it exits 0. */
    public String ctr(String... args) throws IOException, InterruptedException {
        Result r = ctrResult(args);
        if (r.code() != 0) {
            throw new AssertionError("ctr " + String.join(" ", args) + " exited " + r.code() + ":\n" + r.out()
                    + "\n--- containerd log (tail) ---\n" + tail(log(), 40));
        }
        return r.out();
    }

    /** containerd's log so far. */
    public String log() throws IOException {
        Path l = dir.resolve("containerd.log");
        return Files.exists(l) ? Files.readString(l) : "";
    }

    private static String tail(String s, int lines) {
        List<String> all = s.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            // rm -f kills a task that still runs and waits for it.
            for (String task : ctrResult("tasks", "ls", "-q").out().lines().toList()) {
                ctrResult("tasks", "rm", "-f", task.trim());
            }
            for (String c : ctrResult("containers", "ls", "-q").out().lines().toList()) {
                ctrResult("containers", "rm", c.trim());
            }
        } catch (IOException | RuntimeException e) {
            // containerd may already be gone; the process and mount cleanup below still runs
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        // Shims outlive containerd by design; ours are the ones whose command line names our socket.
        new ProcessBuilder("pkill", "-9", "-f", "containerd-shim.*" + socket).start().waitFor();
        OciArchive.run(Path.of("/"), "sh", "-c",
                "grep -o ' " + dir + "[^ ]*' /proc/self/mounts | sort -r | xargs -r -n1 umount -l || true");
    }
}
