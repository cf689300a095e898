package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.fs.FileOps;
import io.strata.testkit.GnuTarReference;
import io.strata.testkit.OciArchive;
import io.strata.testkit.PrivateContainerd;
import io.strata.testkit.RegistryExtension;
import io.strata.testkit.Tree;
import io.strata.testkit.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real containerd 2.1, configured with what {@code strata daemon --print-containerd-config} prints,
 * unpacks with Strata as its differ: pulls through its transfer service and client-side
 * ({@code --local}), imports, and runs a three-layer image with whiteouts, an opaque directory, a
 * setuid file, xattrs and a file with a capability that the same layer hard-links; into Strata's
 * overlayfs and into containerd's own. Each time the image's tree, mounted by ctr, is the one GNU tar
 * extracts. containerd's own differ would fail that comparison: its hard-link entry's chown clears
 * the capability, so the comparison also tells that Strata did the unpacking.
 */
class ContainerdDifferTest {
    @RegisterExtension
    static final RegistryExtension REGISTRY = new RegistryExtension();
    /** {@code setcap cap_net_raw+ep}'s xattr. */
    static final byte[] CAP_NET_RAW = HexFormat.of().parseHex("0100000200200000000000000000000000000000");

    private StrataAndContainerd world;

    @AfterEach
    void stop() throws Exception {
        if (world != null) {
            world.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"strata-overlayfs", "overlayfs"})
    void containerd21PullsImportsAndRunsWithStrataAsItsDiffer(String snapshotter) throws Exception {
        world = StrataAndContainerd.start(PrivateContainerd.Install.containerd2());
        Image image = build(world.dir().resolve("image"));
        PrivateContainerd c = world.containerd();
        String host = REGISTRY.registry().host();
        for (String name : List.of("strata/differ-transfer", "strata/differ-local")) {
            REGISTRY.registry().push(image.layout(), "latest", name, false);
        }

        c.ctr("images", "pull", "--plain-http", "--snapshotter", snapshotter, host + "/strata/differ-transfer:latest");
        check(snapshotter, host + "/strata/differ-transfer:latest", image);
        c.ctr("images", "pull", "--local", "--plain-http", "--snapshotter", snapshotter, host + "/strata/differ-local:latest");
        check(snapshotter, host + "/strata/differ-local:latest", image);
        // The same layers again, now from an archive: remove the unpacked snapshots first.
        for (String ref : List.of(host + "/strata/differ-transfer:latest", host + "/strata/differ-local:latest")) {
            c.ctr("images", "rm", "--sync", ref);
        }
        c.ctr("images", "import", "--snapshotter", snapshotter, image.archive().toString());
        check(snapshotter, image.name(), image);

        String out = c.ctr("run", "--rm", "--snapshotter", snapshotter, image.name(), "differ-run", "/bin/sh", "-c",
                "/bin/busybox cat /top; echo; [ -e /gone ] && echo gone-is-there || echo gone-is-gone;"
                        + " /bin/busybox ls /opq; /bin/busybox stat -c '%a %g' /usr/bin/su");
        assertThat(out.lines().map(String::strip).toList()).containsExactly("top layer", "gone-is-gone", "new", "4755 42");
    }

    @Test
    void blobsAreReadThroughContainerdsContentApiWhenItsDirectoryIsNotThere() throws Exception {
        // The daemon is told a containerd root without a content directory: it must ask containerd's
        // socket, in the namespace that holds the blob (containerd 2.1 sends a proxy differ none).
        Path nowhere = Files.createTempDirectory("strata-no-containerd-root");
        try {
            world = StrataAndContainerd.start(PrivateContainerd.Install.containerd2(), nowhere);
            Image image = build(world.dir().resolve("image"));
            REGISTRY.registry().push(image.layout(), "latest", "strata/differ-api", false);
            String ref = REGISTRY.registry().host() + "/strata/differ-api:latest";
            world.containerd().ctr("images", "pull", "--plain-http", "--snapshotter", "strata-overlayfs", ref);
            check("strata-overlayfs", ref, image);
        } finally {
            Tree.deleteTree(nowhere);
        }
    }

    private void check(String snapshotter, String ref, Image image) throws Exception {
        Path target = Files.createDirectories(world.dir().resolve("mnt-" + Integer.toHexString(ref.hashCode())));
        world.containerd().ctr("images", "mount", "--snapshotter", snapshotter, ref, target.toString());
        try {
            TreeAssert.assertSameTree(image.reference(), target);
            assertThat(FileOps.getXattr(target.resolve("usr/bin/ping6"), "security.capability")).isEqualTo(CAP_NET_RAW);
        } finally {
            world.containerd().ctr("images", "unmount", "--rm", target.toString());
        }
    }

    record Image(String name, Path layout, Path archive, Path reference) {
    }

    static Image build(Path work) throws Exception {
        Path l1 = Files.createDirectories(work.resolve("l1"));
        Path l2 = Files.createDirectories(work.resolve("l2"));
        Path l3 = Files.createDirectories(work.resolve("l3"));
        ContainerdProxyTest.busyboxRoot(l1);
        Tree.apply(l1, Tree.file("gone", "gone", 0644), Tree.dir("opq", 0755), Tree.file("opq/old", "old", 0644),
                Tree.dir("usr", 0755), Tree.dir("usr/bin", 0755));
        Tree.apply(l2, Tree.file(".wh.gone", "", 0644), Tree.dir("opq", 0755), Tree.file("opq/.wh..wh..opq", "", 0644),
                Tree.file("opq/new", "new", 0644), Tree.dir("usr", 0755), Tree.dir("usr/bin", 0755),
                Tree.file("usr/bin/ping", "ping", 0755), Tree.link("usr/bin/ping", "usr/bin/ping6"));
        FileOps.setXattr(l2.resolve("usr/bin/ping"), "security.capability", CAP_NET_RAW);
        Tree.apply(l3, Tree.file("top", "top layer", 0644), Tree.dir("usr", 0755), Tree.dir("usr/bin", 0755),
                Tree.file("usr/bin/su", "su", 0755), Tree.chown("usr/bin/su", 0, 42), Tree.chmod("usr/bin/su", 04755));
        FileOps.setXattr(l3.resolve("top"), "user.origin", "strata".getBytes());
        String name = "docker.io/library/strata-differ:latest";
        Path archive = OciArchive.build(work, name, List.of(l1, l2, l3), List.of("/bin/sh"));
        List<Path> tars = List.of(work.resolve("layer-0.tar"), work.resolve("layer-1.tar"), work.resolve("layer-2.tar"));
        return new Image(name, work.resolve("layout"), archive, GnuTarReference.extract(tars, work.resolve("reference")));
    }
}
