package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Info;
import io.strata.api.Kind;
import io.strata.api.Snapshotter;
import io.strata.grpc.RemoteSnapshotter;
import io.strata.testkit.OciArchive;
import io.strata.testkit.Tree;
import java.io.File;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Strata runs as modules. The other tests run on the class path, where a module descriptor is
 * never read; here the CLI starts from the module path, so a package the code reaches at run time
 * but its descriptor does not export or open (protobuf's reflection on the generated messages,
 * picocli's option injection, the native libraries' access) fails the test.
 */
@Timeout(180)
class ModulePathTest {
    /** The modules that call native code: FFM (syscalls, ISA-L) and JNI (SQLite, zstd). */
    private static final String NATIVE = "io.strata.fs,io.strata.codec,org.xerial.sqlitejdbc,com.github.luben.zstd_jni";

    private Path dir;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("strata-modules");
    }

    @AfterEach
    void tearDown() throws Exception {
        Tree.deleteTree(dir);
    }

    /** The test class path without the tests themselves: Strata's modules and what they require. */
    private static String modulePath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(cp.split(File.pathSeparator))
                .filter(e -> !e.endsWith("test-classes") && Files.exists(Path.of(e)))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static List<String> strata(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=" + NATIVE, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--module-path", modulePath(), "--module", "io.strata.cli/io.strata.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private String run(String... args) throws Exception {
        Path log = Files.createTempFile(dir, "run", ".log");
        Process p = new ProcessBuilder(strata(args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("strata %s finished", List.of(args)).isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("strata %s: %s", List.of(args), out).isZero();
        return out;
    }

    @Test
    void everyStrataJarOnThePathIsANamedModule() {
        List<String> strataModules = ModuleFinder.of(Arrays.stream(modulePath().split(File.pathSeparator))
                        .map(Path::of).toArray(Path[]::new)).findAll().stream()
                .map(ModuleReference::descriptor)
                .filter(d -> d.name().startsWith("io.strata."))
                .peek(d -> assertThat(d.isAutomatic()).as("%s has a module-info", d.name()).isFalse())
                .map(d -> d.name()).sorted().toList();
        assertThat(strataModules).contains("io.strata.api", "io.strata.cli", "io.strata.grpc", "io.strata.image",
                "io.strata.service", "io.strata.backend", "io.strata.fs", "io.strata.codec");
    }

    @Test
    void theDaemonServesFromTheModulePath() throws Exception {
        Path socket = dir.resolve("strata.sock");
        List<String> cmd = strata("daemon", "--address", socket.toString(), "--root", dir.resolve("root").toString());
        try (DaemonProcess d = DaemonProcess.start(dir.resolve("daemon.log"), Map.of(), cmd).awaitSocket(socket)) {
            try (Snapshotter sn = RemoteSnapshotter.connect(socket, "overlayfs")) {
                sn.prepare("extract", "");
                sn.commit("layer", "extract", io.strata.api.SnapshotOption.labels(Map.of("via", "modules")));
                sn.prepare("container", "layer");
                Info layer = sn.stat("layer");
                assertThat(layer.kind()).isEqualTo(Kind.COMMITTED);
                assertThat(layer.labels()).containsEntry("via", "modules");
                assertThat(sn.list().stream().map(Info::name)).containsExactlyInAnyOrder("layer", "container");
            }
            assertThat(d.stop()).isZero();
            assertThat(d.log()).as("nothing on stderr at the default level").isEmpty();
        }
    }

    @Test
    void anImageImportsAndUnpacksFromTheModulePath() throws Exception {
        Path layer = Files.createDirectories(dir.resolve("layer/etc"));
        Files.writeString(layer.resolve("motd"), "hello from the module path\n");
        Path archive = OciArchive.build(dir, "example.com/modules/app:1", List.of(dir.resolve("layer")), List.of("/bin/sh"));
        String root = "--root=" + dir.resolve("root");

        assertThat(run("import", root, archive.toString())).contains("example.com/modules/app:1 sha256:", "unpacked to overlayfs");
        assertThat(run("images", "ls", root, "-q")).isEqualTo("example.com/modules/app:1\n");
        assertThat(run("gc", root, "--dry-run")).contains("would remove 0 blobs and 0 snapshots");
    }
}
