package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.testkit.OciArchive;
import io.strata.testkit.PrivateContainerd;
import io.strata.testkit.RegistryExtension;
import io.strata.testkit.Tree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * containerd 2.1, configured with exactly what {@code strata daemon --print-containerd-config}
 * prints, imports and pulls onto every Strata backend both ways containerd 2.x offers: through its
 * transfer service (ctr's default, which unpacks only into the snapshotters of its
 * {@code unpack_config}) and client-side ({@code --local}); its CRI image service starts on Strata.
 */
class Containerd2TransferTest {
    @RegisterExtension
    static final RegistryExtension REGISTRY = new RegistryExtension();

    private static final PrivateContainerd.Install CONTAINERD2 = PrivateContainerd.Install.containerd2();

    private Path dir;
    private Thread daemonThread;
    private DaemonCommand daemon;
    private PrivateContainerd containerd;

    @BeforeEach
    void setUp() throws Exception {
        Containerds.require(CONTAINERD2);
        dir = Files.createTempDirectory("strata-containerd2");
        Path socket = dir.resolve("strata.sock");
        daemon = new DaemonCommand();
        CommandLine cl = new CommandLine(daemon);
        // The daemon's thread lives until the test ends: containerd 2.1 ends OS threads after some mounts.
        daemonThread = Thread.ofPlatform().name("strata-daemon").start(() -> cl.execute(
                "--address", socket.toString(), "--root", dir.resolve("strata").toString()));
        assertThat(daemon.awaitStarted(Duration.ofSeconds(30))).as("daemon started").isTrue();
        containerd = Containerds.start(dir.resolve("containerd"), CONTAINERD2, socket);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (containerd != null) {
                containerd.close();
            }
        } finally {
            if (daemon != null) {
                daemon.stop();
                daemonThread.join(30_000);
            }
            if (dir != null) {
                Tree.deleteTree(dir);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native", "block"})
    void importsAndPullsThroughTheTransferServiceAndLocally(String backend) throws Exception {
        String sn = "strata-" + backend;
        Path work = Files.createDirectories(dir.resolve("image"));
        Path l1 = Files.createDirectories(work.resolve("l1"));
        Path l2 = Files.createDirectories(work.resolve("l2"));
        ContainerdProxyTest.busyboxRoot(l1);
        Files.writeString(l1.resolve("gone"), "gone");
        Files.createFile(l2.resolve(".wh.gone"));
        Files.writeString(l2.resolve("top"), "top layer");
        String local = "docker.io/library/strata-c2:latest";
        Path archive = OciArchive.build(work, local, List.of(l1, l2), List.of("/bin/sh"));
        String host = REGISTRY.registry().host();
        for (String name : List.of("strata/transfer", "strata/local")) {
            REGISTRY.registry().push(work.resolve("layout"), "latest", name, false);
        }

        containerd.ctr("images", "import", "--snapshotter", sn, archive.toString());
        check(sn, local, "import-transfer");
        containerd.ctr("images", "rm", "--sync", local);
        containerd.ctr("images", "import", "--local", "--snapshotter", sn, archive.toString());
        check(sn, local, "import-local");

        containerd.ctr("images", "pull", "--plain-http", "--snapshotter", sn, host + "/strata/transfer:latest");
        check(sn, host + "/strata/transfer:latest", "pull-transfer");
        containerd.ctr("images", "pull", "--local", "--plain-http", "--snapshotter", sn, host + "/strata/local:latest");
        check(sn, host + "/strata/local:latest", "pull-local");

        // Both layers are committed in Strata, once: every image above shares them.
        String ls = containerd.ctr("snapshots", "--snapshotter", sn, "ls");
        assertThat(ls.lines().filter(l -> l.contains("Committed")).count()).as(ls).isEqualTo(2);
    }

    private void check(String sn, String image, String id) throws Exception {
        String out = containerd.ctr("run", "--rm", "--snapshotter", sn, image, id, "/bin/sh", "-c",
                "/bin/busybox cat /top; echo; [ -e /gone ] && echo gone-is-there || echo gone-is-gone");
        assertThat(out.lines().map(String::strip).toList()).as("%s in %s", image, id)
                .containsExactly("top layer", "gone-is-gone");
    }

    @Test
    void theCriImageServiceStartsOnStrata() throws Exception {
        String plugins = containerd.ctr("plugins", "ls");
        String images = plugins.lines().filter(l -> l.startsWith("io.containerd.cri.v1") && l.contains(" images "))
                .findFirst().orElseThrow(() -> new AssertionError("no CRI images plugin in\n" + plugins));
        assertThat(images.strip()).as("the printed CRI stanza names a snapshotter containerd has").endsWith("ok");
        assertThat(containerd.log()).contains("for snapshotter \\\"strata-overlayfs\\\"");
    }
}
