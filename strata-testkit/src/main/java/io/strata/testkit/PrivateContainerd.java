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
 * A real containerd of the test's own: its own root, state, socket and config, with a
 * {@code [proxy_plugins]} snapshotters {@code strata}, {@code strata-overlayfs},
 * {@code strata-native} and {@code strata-block} pointing at a Strata daemon socket. Everything it
 * starts (containerd, shims, containers, mounts) is stopped by {@link #close()}, even after a
 * failure. Needs the {@code containerd} and {@code runc} packages.
 */
public final class PrivateContainerd implements AutoCloseable {
    /** The namespace the test's ctr commands use. */
    public static final String NAMESPACE = "strata-test";

    private final Path dir;
    private final Path socket;
    private final Process process;

    private PrivateContainerd(Path dir, Path socket, Process process) {
        this.dir = dir;
        this.socket = socket;
        this.process = process;
    }

    /** True when containerd, ctr and runc are installed. */
    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/containerd")) && Files.isExecutable(Path.of("/usr/bin/ctr"))
                && (Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc")));
    }

    /** Starts containerd under {@code dir} with the proxy snapshotter {@code strata} at {@code strataSocket}. */
    public static PrivateContainerd start(Path dir, Path strataSocket) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path socket = dir.resolve("containerd.sock");
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]

                [grpc]
                  address = "%2$s"

                [ttrpc]
                  address = "%2$s.ttrpc"

                [proxy_plugins]
                  [proxy_plugins.strata]
                    type = "snapshot"
                    address = "%3$s"
                  [proxy_plugins.strata-overlayfs]
                    type = "snapshot"
                    address = "%3$s"
                  [proxy_plugins.strata-native]
                    type = "snapshot"
                    address = "%3$s"
                  [proxy_plugins.strata-block]
                    type = "snapshot"
                    address = "%3$s"
                """.formatted(dir, socket, strataSocket));
        Process p = new ProcessBuilder("containerd", "--config", config.toString(), "--log-level", "info")
                .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
        PrivateContainerd c = new PrivateContainerd(dir, socket, p);
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

    /** The output of a finished command. */
    public record Result(int code, String out) {
    }

    /** Runs {@code ctr} against this containerd in {@link #NAMESPACE}. */
    public Result ctrResult(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "--namespace", NAMESPACE));
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
