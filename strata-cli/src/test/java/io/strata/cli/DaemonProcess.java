package io.strata.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code strata daemon} as a process of its own, started from this module's classes the way the
 * launcher starts the jar, so that tests can give it an environment (systemd's variables), kill
 * it with SIGKILL, and restart it cold.
 */
final class DaemonProcess implements AutoCloseable {
    final Process process;
    final Path log;

    private DaemonProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The command line that runs {@code strata} from the test class path. */
    static List<String> strata(String... args) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp, "io.strata.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static DaemonProcess start(Path log, Map<String, String> env, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        return new DaemonProcess(pb.start(), log);
    }

    static DaemonProcess daemon(Path log, Path socket, Path root, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("daemon", "--address", socket.toString(), "--root", root.toString()));
        args.addAll(List.of(more));
        return start(log, Map.of(), strata(args.toArray(String[]::new)));
    }

    /** Waits until {@code socket} exists (which, for Strata, means it answers); fails if the process exits first. */
    DaemonProcess awaitSocket(Path socket) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(socket)) {
            if (!process.isAlive()) {
                throw new AssertionError("daemon exited " + process.exitValue() + " before serving: " + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no socket after 60 s: " + log());
            }
            Thread.sleep(2);
        }
        return this;
    }

    /** As {@link #awaitSocket}, for a socket file a killed daemon left: waits until this daemon accepts on it. */
    DaemonProcess awaitSocketReplacing(Path socket) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            awaitSocket(socket);
            try (var probe = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                probe.connect(java.net.UnixDomainSocketAddress.of(socket));
                return this;
            } catch (java.net.SocketException staleOrBeingReplaced) {
                // Refused: still the killed daemon's socket. No such file: the new daemon removed
                // it and has not bound its own yet. Either way, look again.
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the stale socket was not replaced within 60 s: " + log());
                }
                Thread.sleep(2);
            }
        }
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** SIGTERM, then the exit code. */
    int stop() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("daemon did not stop within 60 s of SIGTERM: " + log());
        }
        return process.exitValue();
    }

    /** SIGKILL, as the OOM killer or a power cut would end it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            stop();
        }
    }
}
