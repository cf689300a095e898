package io.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Info;
import io.strata.api.Snapshotter;
import io.strata.backend.block.BlockSnapshotter;
import io.strata.fs.FileOps;
import io.strata.fs.Mounter;
import io.strata.grpc.RemoteSnapshotter;
import io.strata.testkit.OciArchive;
import io.strata.testkit.PrivateContainerd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real containerd, with Strata as its {@code proxy_plugins} snapshotter, runs a container with
 * runc from a multi-layer image this test builds itself (deletions, an opaque directory, a
 * symbolic link, a hard link, a setuid file, an xattr).
 */
class ContainerdProxyTest extends WithContainerd {
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.strata.cli.Containerds#installsAndBackends")
    void ctrSnapshotsCommandsThroughTheProxy(PrivateContainerd.Install install, String backend) throws Exception {
        start(install);
        String sn = "strata-" + backend;
        containerd.ctr("snapshots", "--snapshotter", sn, "prepare", "base-a");
        containerd.ctr("snapshots", "--snapshotter", sn, "commit", "base", "base-a");
        containerd.ctr("snapshots", "--snapshotter", sn, "prepare", "child", "base");
        String ls = containerd.ctr("snapshots", "--snapshotter", sn, "ls");
        assertThat(ls).contains("base").contains("child").contains("Committed").contains("Active");
        containerd.ctr("snapshots", "--snapshotter", sn, "label", "base", "team=strata");
        assertThat(containerd.ctr("snapshots", "--snapshotter", sn, "info", "base"))
                .contains("\"team\": \"strata\"").contains("\"Kind\": \"Committed\"");
        assertThat(containerd.ctr("snapshots", "--snapshotter", sn, "usage", "child")).contains("child");
        String mounts = containerd.ctr("snapshots", "--snapshotter", sn, "mounts", "/tmp/x", "child");
        assertThat(mounts).startsWith(switch (backend) {
            case "overlayfs" -> "mount -t overlay overlay";
            case "block" -> "mount -t ext4 " + dir.resolve("strata"); // an image under the state root, -o loop,rw
            default -> "mount -t bind";
        });
        // What containerd stored went through its metadata layer: backend keys carry the namespace.
        try (Snapshotter direct = RemoteSnapshotter.connect(socket, backend)) {
            assertThat(direct.list()).extracting(Info::name).hasSize(2)
                    .allMatch(n -> n.startsWith(PrivateContainerd.NAMESPACE + "/"));
        }
        // ctr's diff: containerd mounts base and child and writes the difference as a gzip layer to stdout.
        assertThat(containerd.ctr("snapshots", "--snapshotter", sn, "diff", "child")).startsWith("\u001f");
        var failed = containerd.ctrResult("snapshots", "--snapshotter", sn, "rm", "base");
        assertThat(failed.code()).isNotZero();
        containerd.ctr("snapshots", "--snapshotter", sn, "rm", "child");
        containerd.ctr("snapshots", "--snapshotter", sn, "rm", "base");
        assertThat(containerd.ctr("snapshots", "--snapshotter", sn, "ls")).doesNotContain("base");
    }

    /** The userland of a test container: busybox, a shell, the usual directories, a passwd file. */
    static void busyboxRoot(Path layer) throws java.io.IOException {
        Files.createDirectories(layer.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), layer.resolve("bin/busybox"));
        FileOps.chmod(layer.resolve("bin/busybox"), 0755);
        Files.createSymbolicLink(layer.resolve("bin/sh"), Path.of("busybox"));
        for (String d : List.of("etc", "dev", "proc", "sys", "tmp")) {
            Files.createDirectories(layer.resolve(d));
        }
        Files.writeString(layer.resolve("etc/passwd"), "root:x:0:0:root:/:/bin/sh\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.strata.cli.Containerds#installs")
    void aBlockContainersRootIsAsLargeAsItsSnapshotterLabelAsks(PrivateContainerd.Install install) throws Exception {
        start(install);
        Path work = Files.createDirectories(dir.resolve("image"));
        Path layer = Files.createDirectories(work.resolve("l1"));
        busyboxRoot(layer);
        String image = "docker.io/library/strata-sized:latest";
        containerd.ctr("images", "import", "--snapshotter", "strata-block",
                OciArchive.build(work, image, List.of(layer), List.of("/bin/sh")).toString());
        // containerd hands labels under containerd.io/snapshot/ on to the proxy snapshotter.
        long asked = 20L << 30;
        String out = containerd.ctr("run", "--rm", "--snapshotter", "strata-block", "--snapshotter-label",
                BlockSnapshotter.SIZE_BYTES_LABEL + "=" + asked, image, "strata-it-sized", "/bin/busybox", "df", "-k", "/");
        long kib = Long.parseLong(out.lines().toList().getLast().strip().split("\\s+")[1]);
        assertThat(kib * 1024).as("df of the container's root: %s", out).isBetween(asked * 85 / 100, asked);
        containerd.ctr("images", "rm", "--sync", image);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.strata.cli.Containerds#installsAndBackends")
    void runcRunsAContainerFromAMultiLayerImage(PrivateContainerd.Install install, String backend) throws Exception {
        start(install);
        Path work = Files.createDirectories(dir.resolve("image"));
        Path l1 = Files.createDirectories(work.resolve("l1"));
        Path l2 = Files.createDirectories(work.resolve("l2"));
        Path l3 = Files.createDirectories(work.resolve("l3"));
        busyboxRoot(l1);
        for (String d : List.of("data", "opq")) {
            Files.createDirectories(l1.resolve(d));
        }
        Files.writeString(l1.resolve("data/keep"), "keep");
        Files.writeString(l1.resolve("data/gone"), "gone");
        Files.writeString(l1.resolve("opq/old"), "old");

        Files.createDirectories(l2.resolve("data"));
        Files.createDirectories(l2.resolve("opq"));
        Files.createDirectories(l2.resolve("bin"));
        Files.createFile(l2.resolve("data/.wh.gone"));
        Files.createFile(l2.resolve("opq/.wh..wh..opq"));
        Files.writeString(l2.resolve("opq/new"), "new");
        Files.createSymbolicLink(l2.resolve("link"), Path.of("data/keep"));
        Files.writeString(l2.resolve("hard-a"), "hard");
        Files.createLink(l2.resolve("hard-b"), l2.resolve("hard-a"));
        Files.writeString(l2.resolve("bin/suid"), "#!/bin/sh\n");
        FileOps.chmod(l2.resolve("bin/suid"), 04755);
        Files.writeString(l2.resolve("data/xattr"), "x");
        FileOps.setXattr(l2.resolve("data/xattr"), "user.strata", "yes".getBytes(StandardCharsets.UTF_8));

        Files.createDirectories(l3.resolve("data"));
        Files.writeString(l3.resolve("data/keep"), "keep v3");
        Files.writeString(l3.resolve("l3"), "third layer");

        String image = "docker.io/library/strata-test:latest";
        Path archive = OciArchive.build(work, image, List.of(l1, l2, l3), List.of("/bin/sh"));
        String sn = "strata-" + backend;
        containerd.ctr("images", "import", "--snapshotter", sn, archive.toString());
        String script = String.join("; ",
                "cd /", "/bin/busybox ls /data", "echo ---", "/bin/busybox ls /opq", "echo ---",
                "/bin/busybox readlink /link", "/bin/busybox cat /link; echo",
                "/bin/busybox stat -c '%a %u' /bin/suid",
                "[ $(/bin/busybox stat -c %i /hard-a) = $(/bin/busybox stat -c %i /hard-b) ] && echo same-inode",
                "/bin/busybox cat /l3; echo", "echo written > /tmp/by-container && /bin/busybox cat /tmp/by-container");
        String out = containerd.ctr("run", "--rm", "--snapshotter", sn, image, "strata-it-" + backend,
                "/bin/sh", "-c", script);
        assertThat(out.lines().map(String::strip).toList()).containsExactly(
                "keep", "xattr", "---", "new", "---", "data/keep", "keep v3", "4755 0", "same-inode", "third layer",
                "written");

        // The layers are committed snapshots named by chain ID; the xattr made it into the layer.
        try (Snapshotter direct = RemoteSnapshotter.connect(socket, backend)) {
            List<Info> committed = direct.list("kind==committed");
            assertThat(committed).hasSize(3);
            // The top layer is the committed snapshot no other committed snapshot sits on (the
            // container's own snapshot may still be there: containerd's GC removes it later).
            var parents = committed.stream().map(Info::parentOrEmpty).toList();
            Info top = committed.stream().filter(i -> !parents.contains(i.name())).findFirst().orElseThrow();
            String view = "xattr-check";
            Path mnt = Files.createDirectories(dir.resolve("view"));
            Mounter.mountAll(direct.view(view, top.name()), mnt);
            try {
                assertThat(new String(FileOps.getXattr(mnt.resolve("data/xattr"), "user.strata"), StandardCharsets.UTF_8))
                        .isEqualTo("yes");
                assertThat(Files.exists(mnt.resolve("data/gone"))).isFalse();
            } finally {
                Mounter.unmountAll(mnt);
                direct.remove(view);
            }
        }
        containerd.ctr("images", "rm", "--sync", image);
        // containerd's garbage collector removed the layers through the proxy.
        try (Snapshotter direct = RemoteSnapshotter.connect(socket, backend)) {
            assertThat(direct.list("kind==committed")).as("committed snapshots after images rm --sync").isEmpty();
        }
    }
}
