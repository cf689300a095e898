package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.testkit.OciArchive;
import io.strata.testkit.PrivateContainerd;
import io.strata.testkit.RegistryExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real containerd 1.6 and 2.1, each configured with exactly what {@code strata daemon
 * --print-containerd-config} prints for it, import and pull (from a local registry) onto every Strata
 * backend with ctr's defaults, and run what they unpacked. On 2.1 both ways it offers: through its
 * transfer service (ctr's default, which unpacks only into the snapshotters of its
 * {@code unpack_config}) and client-side ({@code --local}); its CRI image service starts on Strata.
 */
class ContainerdPullTest extends WithContainerd {
    @RegisterExtension
    static final RegistryExtension REGISTRY = new RegistryExtension();

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.strata.cli.Containerds#installsAndBackends")
    void importsAndPullsWithCtrsDefaultsAndLocally(PrivateContainerd.Install install, String backend) throws Exception {
        start(install);
        boolean transfer = install.major() >= 2;
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
        for (String name : transfer ? List.of("strata/transfer", "strata/local") : List.of("strata/transfer")) {
            REGISTRY.registry().push(work.resolve("layout"), "latest", name, false);
        }

        // ctr's defaults: through the transfer service on 2.x, client-side on 1.x (which has no --local).
        containerd.ctr("images", "import", "--snapshotter", sn, archive.toString());
        check(sn, local, "import-default");
        containerd.ctr("images", "pull", "--plain-http", "--snapshotter", sn, host + "/strata/transfer:latest");
        check(sn, host + "/strata/transfer:latest", "pull-default");
        if (transfer) {
            containerd.ctr("images", "rm", "--sync", local);
            containerd.ctr("images", "import", "--local", "--snapshotter", sn, archive.toString());
            check(sn, local, "import-local");
            containerd.ctr("images", "pull", "--local", "--plain-http", "--snapshotter", sn, host + "/strata/local:latest");
            check(sn, host + "/strata/local:latest", "pull-local");
        }

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
    void theCriImageServiceOfContainerd2StartsOnStrata() throws Exception {
        start(PrivateContainerd.Install.containerd2());
        String plugins = containerd.ctr("plugins", "ls");
        String images = plugins.lines().filter(l -> l.startsWith("io.containerd.cri.v1") && l.contains(" images "))
                .findFirst().orElseThrow(() -> new AssertionError("no CRI images plugin in\n" + plugins));
        assertThat(images.strip()).as("the printed CRI stanza names a snapshotter containerd has").endsWith("ok");
        assertThat(containerd.log()).contains("for snapshotter \\\"strata-overlayfs\\\"");
    }
}
