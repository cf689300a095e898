package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.InvalidArgumentException;
import io.strata.api.Kind;
import io.strata.api.Snapshotter;
import io.strata.daemon.ContainerdConfig;
import io.strata.grpc.RemoteSnapshotter;
import io.strata.testkit.Tree;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** strata daemon: config file, containerd stanza, restart keeps snapshots, the CLI as its client. */
class DaemonCommandTest {
    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("strata-daemon");
    }

    @AfterEach
    void tearDown() throws Exception {
        Tree.deleteTree(dir);
    }

    private record Running(DaemonCommand cmd, Thread thread) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            cmd.stop();
            thread.join(30_000);
        }
    }

    private Running start(String... args) throws Exception {
        DaemonCommand cmd = new DaemonCommand();
        CommandLine cl = new CommandLine(cmd);
        Thread t = Thread.ofPlatform().start(() -> cl.execute(args));
        assertThat(cmd.awaitStarted(Duration.ofSeconds(30))).isTrue();
        return new Running(cmd, t);
    }

    @Test
    void restartKeepsSnapshotsAndTheCliTalksToTheDaemon() throws Exception {
        Path socket = dir.resolve("run/strata.sock");
        String[] args = {"--address", socket.toString(), "--root", dir.resolve("state").toString()};
        try (Running d = start(args)) {
            assertThat(Files.getPosixFilePermissions(socket)).extracting(Object::toString)
                    .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE", "GROUP_READ", "GROUP_WRITE");
            try (Snapshotter sn = RemoteSnapshotter.connect(socket, "strata")) {
                sn.prepare("base-a", "");
                sn.commit("base", "base-a");
                sn.prepare("work", "base");
            }
            assertThat(Main.run("snapshots", "prepare", "--address", socket.toString(), "-s", "native", "cli-made")).isZero();
        }
        try (Running d = start(args); Snapshotter sn = RemoteSnapshotter.connect(socket, "strata-overlayfs")) {
            assertThat(sn.stat("base").kind()).isEqualTo(Kind.COMMITTED);
            assertThat(sn.stat("work").parent()).contains("base");
            try (Snapshotter nat = RemoteSnapshotter.connect(socket, "native")) {
                assertThat(nat.stat("cli-made").kind()).isEqualTo(Kind.ACTIVE);
            }
        }
    }

    @Test
    void configFileIsReadAndTyposAreNamed() throws Exception {
        Path socket = dir.resolve("cfg.sock");
        Path config = dir.resolve("strata.toml");
        Files.writeString(config, """
                # a comment
                address = "%s"
                root = "%s"
                snapshotters = ["native", "block"]
                namespaces = "isolate"
                log_level = "error"
                block_scratch_size = "128M"
                """.formatted(socket, dir.resolve("cfg-state")));
        try (Running d = start("--config", config.toString());
             Snapshotter sn = RemoteSnapshotter.builder(socket, "native").namespace("team-a").connect();
             Snapshotter block = RemoteSnapshotter.connect(socket, "strata-block")) {
            sn.prepare("k", "");
            assertThat(Files.isDirectory(dir.resolve("cfg-state/native/snapshots"))).isTrue();
            assertThat(Files.exists(dir.resolve("cfg-state/overlayfs"))).isFalse();
            assertThat(Files.size(Path.of(block.prepare("b", "").getFirst().source()))).isEqualTo(128L << 20);
        }
        assertThat(Main.run("daemon", "--block-scratch-size", "12Q", "--print-containerd-config")).isEqualTo(2);
        Files.writeString(config, "adress = \"/tmp/x\"\n");
        assertThatThrownBy(() -> DaemonConfig.read(config)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("line 1").hasMessageContaining("unknown key \"adress\"");
        Files.writeString(config, "root = /no/quotes\n");
        assertThatThrownBy(() -> DaemonConfig.read(config)).hasMessageContaining("quoted");
        assertThatThrownBy(() -> DaemonCommand.namespaceMode("sometimes")).hasMessageContaining("ignore or isolate");
    }

    private static String printed(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new DaemonCommand()).setOut(new PrintWriter(out));
        assertThat(cl.execute(args)).isZero();
        return out.toString();
    }

    @Test
    void printsContainerdConfigForEitherVersion() {
        String v3 = printed("--print-containerd-config", "--format", "v3", "--address", "/run/x.sock");
        assertThat(v3).contains("\nversion = 3\n")
                .contains("[proxy_plugins.strata-overlayfs]\n    type = \"snapshot\"\n    address = \"/run/x.sock\"\n"
                        + "    capabilities = [\"rebase\"]\n")
                .contains("[proxy_plugins.strata-native]\n    type = \"snapshot\"\n    address = \"/run/x.sock\"\n  [")
                .contains("[[plugins.\"io.containerd.transfer.v1.local\".unpack_config]]\n  platform = \"linux/amd64\"\n"
                        + "  snapshotter = \"strata-block\"\n  differ = \"strata-diff\"")
                .contains("[proxy_plugins.strata-diff]\n    type = \"diff\"\n    address = \"/run/x.sock\"\n")
                .contains("[plugins.\"io.containerd.service.v1.diff-service\"]\n  default = [\"strata-diff\", \"walking\"]")
                .contains("snapshotter = \"overlayfs\"")
                .contains("[plugins.\"io.containerd.cri.v1.images\"]\n  snapshotter = \"strata-overlayfs\"")
                .as("one containerd name per backend").doesNotContain("[proxy_plugins.strata]");
        String v2 = printed("--print-containerd-config", "--format", "v2", "--address", "/run/x.sock", "--snapshotters", "native");
        assertThat(v2).contains("\nversion = 2\n").contains("[proxy_plugins.strata-native]")
                .contains("[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n  snapshotter = \"strata-native\"")
                .doesNotContain("unpack_config").doesNotContain("capabilities").doesNotContain("strata-overlayfs");
        String v3Plain = printed("--print-containerd-config", "--format", "v3", "--no-differ", "--address", "/run/x.sock");
        assertThat(v3Plain).contains("  snapshotter = \"strata-block\"\n  differ = \"walking\"")
                .doesNotContain("type = \"diff\"").doesNotContain("diff-service");
        // containerd 1.7 reads version 2 and loads proxy differs; 1.6 does not (--differ defaults from containerd --version).
        assertThat(printed("--print-containerd-config", "--format", "v2", "--differ", "--address", "/run/x.sock"))
                .contains("[proxy_plugins.strata-diff]\n    type = \"diff\"")
                .contains("default = [\"strata-diff\", \"walking\"]").doesNotContain("unpack_config");
        assertThat(printed("--print-containerd-config", "--format", "v2", "--no-differ", "--address", "/run/x.sock"))
                .doesNotContain("diff");
        assertThat(printed("--print-containerd-config", "--format", "v3", "--address", "/run/a \"b\".sock"))
                .contains("address = \"/run/a \\\"b\\\".sock\"");
        assertThat(Main.run("daemon", "--print-containerd-config", "--format", "v4")).isEqualTo(2);
        assertThat(Main.run("daemon", "--print-containerd-config", "--format", "v3", "--snapshotters", "zfs")).isEqualTo(2);
    }

    @Test
    void plainDaemonOptionsSkipPicocliAndEverythingElseGoesThroughIt() {
        DaemonCommand d = PlainOptions.parse(new DaemonCommand(), new String[] {"--address", "/run/a.sock", "--root=/var/x",
                "--snapshotters", "native,block", "--log-level", "info"}, DaemonCommand.PLAIN).orElseThrow();
        assertThat(d.address).isEqualTo("/run/a.sock");
        assertThat(d.root).isEqualTo(Path.of("/var/x"));
        assertThat(d.snapshotters).containsExactly("native", "block");
        assertThat(d.logLevel).isEqualTo("info");
        assertThat(d.printContainerdConfig).isFalse();
        for (String[] other : List.of(new String[] {"--help"}, new String[] {"--adress", "/x"}, new String[] {"--root"},
                new String[] {"--root", "/a", "--root", "/b"}, new String[] {"--format", "v3"}, new String[] {"-x"},
                new String[] {"--print-systemd-units"}, new String[] {"--print-containerd-config"}, new String[] {"stray"})) {
            assertThat(PlainOptions.parse(new DaemonCommand(), other, DaemonCommand.PLAIN)).as(String.join(" ", other)).isEmpty();
        }
        // What picocli then says, as before.
        assertThat(Main.run("daemon", "--adress", "/x")).isEqualTo(2);
    }

    /** The plain table names every value option of the command, and sets each field as picocli would. */
    @Test
    void plainTableMatchesThePicocliOptions() throws Exception {
        java.util.Set<String> picocliOnly = java.util.Set.of("--print-containerd-config", "--print-systemd-units", "--format",
                "--differ");
        java.util.Set<String> declared = new java.util.TreeSet<>();
        for (var f : DaemonCommand.class.getDeclaredFields()) {
            CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
            if (o != null && !o.usageHelp() && !o.versionHelp()) {
                declared.addAll(List.of(o.names()));
            }
        }
        java.util.Set<String> plain = new java.util.TreeSet<>();
        DaemonCommand.PLAIN.forEach(p -> plain.add(p.name()));
        java.util.Set<String> expected = new java.util.TreeSet<>(declared);
        expected.removeAll(picocliOnly);
        assertThat(plain).isEqualTo(expected);

        String[] args = {"--address", "/run/a.sock", "--root", "/var/x", "--config", "/etc/strata.conf", "--log-level", "debug",
                "--namespaces", "isolate", "--snapshotters", "native,,block", "--block-scratch-size", "2G",
                "--containerd-root", "/srv/containerd", "--containerd-address", "/srv/containerd.sock"};
        DaemonCommand byPlain = PlainOptions.parse(new DaemonCommand(), args, DaemonCommand.PLAIN).orElseThrow();
        DaemonCommand byPicocli = new DaemonCommand();
        new CommandLine(byPicocli).parseArgs(args);
        for (var f : DaemonCommand.class.getDeclaredFields()) {
            if (f.getAnnotation(CommandLine.Option.class) != null) {
                f.setAccessible(true);
                assertThat(f.get(byPlain)).as(f.getName()).isEqualTo(f.get(byPicocli));
            }
        }
        assertThat(byPlain.snapshotters).containsExactly("native", "", "block");
    }

    @Test
    void readsTheMajorVersionContainerdPrints() {
        assertThat(ContainerdConfig.majorVersion("containerd github.com/containerd/containerd/v2 2.1.9+unknown \n")).contains(2);
        assertThat(ContainerdConfig.majorVersion("containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3"))
                .contains(1);
        assertThat(ContainerdConfig.majorVersion("containerd containerd.io v1.7.27 05044ec0a9a7")).contains(1);
        assertThat(ContainerdConfig.majorVersion("bash: containerd: command not found")).isEmpty();
        assertThat(ContainerdConfig.version("containerd containerd.io v1.7.27 05044ec0a9a7"))
                .contains(new ContainerdConfig.Version(1, 7));
        assertThat(ContainerdConfig.Format.forMajor(2)).isEqualTo(ContainerdConfig.Format.V3);
        assertThat(ContainerdConfig.Format.forMajor(1)).isEqualTo(ContainerdConfig.Format.V2);
    }

    @Test
    void logLinesAreKeyValue() {
        LogRecord r = new LogRecord(Level.WARNING, "snapshot {0} left for cleanup");
        r.setParameters(new Object[] {"a \"quoted\" key"});
        r.setLoggerName("io.strata.backend");
        String line = new Logging.KeyValueFormatter().format(r);
        assertThat(line).startsWith("time=").contains(" level=warn logger=io.strata.backend ")
                .contains("msg=\"snapshot a \\\"quoted\\\" key left for cleanup\"").endsWith("\n");
        assertThatThrownBy(() -> Logging.configure("loud", System.err)).hasMessageContaining("loud");
        assertThat(List.of("debug", "info", "warn", "error")).allSatisfy(l -> Logging.configure(l, System.err));
        Logging.configure("warn", System.err);
    }

    @Test
    void aFloodOfTheSameWarningIsWrittenOnceAMinuteWithACount() {
        long[] now = {0};
        RepeatFilter f = new RepeatFilter(() -> now[0]);
        int passed = 0;
        for (int i = 0; i < 500; i++) {
            LogRecord r = new LogRecord(Level.WARNING, "Exception processing message");
            r.setLoggerName("io.grpc.netty.NettyServerStream");
            passed += f.isLoggable(r) ? 1 : 0;
            now[0] += 1_000_000L; // 1 ms apart: a client in a loop
        }
        assertThat(passed).isEqualTo(1);
        LogRecord other = new LogRecord(Level.WARNING, "snapshot {0} left for cleanup");
        other.setLoggerName("io.strata.backend");
        assertThat(f.isLoggable(other)).as("other messages are not held back").isTrue();
        now[0] += RepeatFilter.WINDOW_NANOS;
        LogRecord later = new LogRecord(Level.WARNING, "Exception processing message");
        later.setLoggerName("io.grpc.netty.NettyServerStream");
        assertThat(f.isLoggable(later)).isTrue();
        assertThat(later.getMessage()).contains("499 more like this");
    }

    @Test
    void printsSystemdUnitsForSocketActivationAndNotify() {
        java.io.StringWriter out = new java.io.StringWriter();
        CommandLine cl = new CommandLine(new DaemonCommand());
        cl.setOut(new java.io.PrintWriter(out));
        Path root = dir.resolve("units-root");
        assertThat(cl.execute("--print-systemd-units", "--address", "/run/strata/x.sock", "--root", root.toString())).isZero();
        assertThat(out.toString()).contains("# /etc/systemd/system/strata.socket", "ListenStream=/run/strata/x.sock",
                "# /etc/systemd/system/strata.service", "Type=notify", "Before=containerd.service",
                "Requires=strata.socket", " daemon --address /run/strata/x.sock --root " + root);
        assertThat(root).as("printing touches nothing").doesNotExist();
    }
}
