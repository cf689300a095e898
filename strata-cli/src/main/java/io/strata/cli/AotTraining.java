package io.strata.cli;

import io.strata.api.NotFoundException;
import io.strata.api.Snapshotter;
import io.strata.fs.FileOps;
import io.strata.grpc.RemoteSnapshotter;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run behind the JDK AOT cache that {@code strata-cli}'s build writes next to the
 * jar ({@code -XX:AOTCacheOutput}, JEP 483/514/515): it runs what a node does right after boot, so
 * the classes, their linkage and the method profiles of that path are in the cache, and a daemon
 * started with {@code -XX:AOTCache} answers its first calls at nearly warmed speed. It starts
 * {@code strata daemon} in this JVM on a scratch root, drives every backend through the gRPC
 * client as containerd does (prepare, stat, mounts, commit, walk, usage, view, remove), runs the
 * local {@code snapshots} commands, stops the daemon with SIGTERM, as systemd would, and pulls an
 * image from a registry of its own ({@link TrainingRegistry}).
 *
 * <p>Not part of the command line: the build runs {@code java -cp strata.jar io.strata.cli.AotTraining DIR}.
 */
public final class AotTraining {
    private static final int ROUNDS = 300;
    private static final int BLOCK_ROUNDS = 40;
    private static final int STATS = 4000;

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: AotTraining SCRATCH_DIR");
            System.exit(2);
        }
        Path work = Path.of(args[0]).toAbsolutePath();
        FileOps.deleteTree(work);
        Files.createDirectories(work);
        Path socket = work.resolve("s.sock");
        Path root = work.resolve("root");
        int[] rc = {-1};
        Thread daemon = Thread.ofPlatform().name("training-daemon").start(() -> rc[0] = Main.run("daemon",
                "--address", socket.toString(), "--root", root.toString()));
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(socket)) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("training daemon did not start (exit " + rc[0] + ")");
            }
            Thread.sleep(5);
        }
        List<String> skipped = new ArrayList<>();
        for (String backend : List.of("overlayfs", "native", "block")) {
            try (Snapshotter sn = RemoteSnapshotter.builder(socket, "strata-" + backend).namespace("training").connect()) {
                exercise(sn, backend.equals("block") ? BLOCK_ROUNDS : ROUNDS);
            } catch (RuntimeException e) {
                skipped.add(backend + " (" + e.getMessage() + ")");
            }
        }
        sun.misc.Signal.raise(new sun.misc.Signal("TERM"));
        daemon.join();
        // A usage error links picocli's exception classes; unlinked, they keep all of picocli out of the cache.
        PrintStream out = System.out;
        PrintStream err = System.err;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try (TrainingRegistry registry = new TrainingRegistry(work.resolve("registry"))) {
            for (String cmd : List.of("ls", "tree", "usage")) {
                Main.run("snapshots", "--root", root.toString(), cmd);
            }
            // A pull on a fresh root, as `strata pull` runs on a new node, and one that finds it all there.
            Path pulled = work.resolve("pulled");
            for (int i = 0; i < 2; i++) {
                int pull = Main.run("pull", "--root", pulled.toString(), "--plain-http",
                        registry.host() + "/training/app:1");
                if (pull != 0) {
                    throw new IllegalStateException("training pull exited " + pull);
                }
            }
            Main.run("images", "--root", pulled.toString(), "ls");
            Main.run("--help");
            Main.run("daemon", "--no-such-option");
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        FileOps.deleteTree(work);
        if (rc[0] != 0) {
            throw new IllegalStateException("training daemon exited " + rc[0]);
        }
        System.out.println("AOT training done" + (skipped.isEmpty() ? "" : "; skipped " + skipped));
    }

    private static void exercise(Snapshotter sn, int rounds) {
        sn.prepare("base-active", "");
        sn.commit("base", "base-active");
        for (int i = 0; i < rounds; i++) {
            sn.prepare("a-" + i, "base");
            sn.stat("a-" + i);
            sn.mounts("a-" + i);
            sn.commit("c-" + i, "a-" + i);
            sn.stat("c-" + i);
            sn.usage("c-" + i);
        }
        for (int i = 0; i < STATS; i++) {
            try {
                sn.stat("missing-" + (i % 10));
            } catch (NotFoundException expected) {
                // containerd's unpacker stats chain IDs it does not have yet
            }
        }
        sn.view("v", "base");
        sn.list("kind==committed");
        sn.list();
        sn.remove("v");
        for (int i = 0; i < rounds; i++) {
            sn.remove("c-" + i);
        }
        sn.remove("base");
        sn.cleanup();
    }

}
