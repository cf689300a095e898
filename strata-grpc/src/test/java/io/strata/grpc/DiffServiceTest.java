package io.strata.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.api.Mount;
import io.strata.api.Snapshotter;
import io.strata.backend.Backends;
import io.strata.fs.FileOps;
import io.strata.fs.Mounter;
import io.strata.grpc.proto.diff.ApplyRequest;
import io.strata.grpc.proto.diff.ApplyResponse;
import io.strata.grpc.proto.diff.DiffGrpc;
import io.strata.grpc.proto.diff.DiffRequest;
import io.strata.grpc.proto.types.Descriptor;
import io.strata.image.diff.ContentDirectory;
import io.strata.image.diff.LayerApplication;
import io.strata.image.diff.MountScope;
import io.strata.service.NamespaceMode;
import io.strata.testkit.GnuTarReference;
import io.strata.testkit.ImageLayout;
import io.strata.testkit.Tree;
import io.strata.testkit.TreeAssert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * containerd's Diff service on Strata's socket, called as containerd's proxy differ calls it: layers
 * from a containerd-style content directory applied onto the mounts of every Strata backend and onto
 * mounts laid out as containerd's own overlayfs snapshotter lays them out, each tree compared with what
 * GNU tar extracts; and every kind of bad request refused with containerd's status codes.
 */
class DiffServiceTest {
    /** VFS_CAP_REVISION_2, effective, permitted cap_net_raw: what {@code setcap cap_net_raw+ep} writes. */
    static final byte[] CAP_NET_RAW = HexFormat.of().parseHex("0100000200200000000000000000000000000000");

    Path dir;
    Path containerdRoot;
    Path strataRoot;
    Map<String, Snapshotter> backends;
    StrataServer server;
    UnixChannel channel;
    DiffGrpc.DiffBlockingStub diff;
    ImageLayout.Image image;

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory("strata-diff-");
        containerdRoot = Files.createDirectories(dir.resolve("containerd"));
        strataRoot = dir.resolve("strata");
        backends = new LinkedHashMap<>();
        for (String b : Backends.NAMES) {
            backends.put(b, Backends.open(b, strataRoot));
        }
        LayerApplication app = new LayerApplication(new ContentDirectory(containerdRoot), Optional.empty(),
                new MountScope(List.of(strataRoot, containerdRoot)));
        server = StrataServer.create(dir.resolve("strata.sock"), backends, NamespaceMode.IGNORE).differ(app).start();
        channel = new UnixChannel(server.socket(), null);
        diff = DiffGrpc.newBlockingStub(channel.channel());
        image = twoLayers();
    }

    @AfterEach
    void stop() throws IOException {
        channel.close();
        server.close();
        Tree.deleteTree(dir);
    }

    /**
     * Two layers in containerd's content directory (an OCI layout's blobs are laid out as containerd's):
     * the base gzip, the top zstd, with a whiteout, an opaque directory, a setuid file, xattrs and a
     * capability on a file the same layer also hard-links.
     */
    ImageLayout.Image twoLayers() throws IOException {
        Path l1 = Files.createDirectories(dir.resolve("src/l1"));
        Path l2 = Files.createDirectories(dir.resolve("src/l2"));
        Tree.apply(l1, Tree.dir("etc", 0755), Tree.dir("opq", 0755), Tree.dir("usr", 0755), Tree.file("etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644), Tree.file("gone", "gone", 0644),
                Tree.file("opq/old", "old", 0644), Tree.dir("usr/lib", 0755), Tree.file("usr/lib/a.so", "so", 0755));
        Tree.apply(l2, Tree.dir("opq", 0755), Tree.dir("usr", 0755), Tree.dir("usr/bin", 0755), Tree.dir("usr/lib", 0755),
                Tree.file(".wh.gone", "", 0644), Tree.file("opq/.wh..wh..opq", "", 0644),
                Tree.file("opq/new", "new", 0644), Tree.file("usr/bin/su", "su", 0755), Tree.chown("usr/bin/su", 0, 42),
                Tree.chmod("usr/bin/su", 04755),
                Tree.file("usr/bin/ping", "ping", 0755), Tree.link("usr/bin/ping", "usr/bin/ping6"),
                Tree.file("usr/lib/b.so", "b", 0644));
        FileOps.setXattr(l2.resolve("usr/bin/ping"), "security.capability", CAP_NET_RAW);
        FileOps.setXattr(l2.resolve("usr/lib/b.so"), "user.origin", "strata".getBytes());
        ImageLayout layout = ImageLayout.create(containerdRoot.resolve(ContentDirectory.PLUGIN_DIR), dir.resolve("work"));
        return layout.image("linux/amd64", List.of(ImageLayout.LayerSpec.gzip(l1),
                ImageLayout.LayerSpec.of(l2, ImageLayout.Compression.ZSTD)), List.of("/bin/sh"));
    }

    static Descriptor descriptor(ImageLayout.Layer l) {
        return Descriptor.newBuilder().setMediaType(l.mediaType()).setDigest(l.blob().digest()).setSize(l.blob().size()).build();
    }

    ApplyResponse apply(Descriptor d, List<Mount> mounts) {
        return diff.apply(ApplyRequest.newBuilder().setDiff(d).addAllMounts(ProtoConvert.toProto(mounts)).setSyncFs(true).build());
    }

    Path reference() throws IOException {
        return GnuTarReference.extract(image.tars(), dir.resolve("reference"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlayfs", "native", "block"})
    void appliesOntoTheMountsOfEveryBackendAsGnuTarExtracts(String backend) throws Exception {
        Snapshotter sn = backends.get(backend);
        String parent = "";
        for (int i = 0; i < 2; i++) {
            ImageLayout.Layer layer = image.layers().get(i);
            List<Mount> mounts = sn.prepare("extract-" + i, parent);
            ApplyResponse r = apply(descriptor(layer), mounts);
            assertThat(r.getApplied().getDigest()).isEqualTo(layer.diffId());
            assertThat(r.getApplied().getMediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar");
            assertThat(r.getApplied().getSize()).isEqualTo(Files.size(layer.tar()));
            sn.commit("layer-" + i, "extract-" + i);
            parent = "layer-" + i;
        }
        Path expected = reference();
        Mounter.withMounted(sn.view("check", parent), root -> {
            TreeAssert.assertSameTree(expected, root);
            assertThat(FileOps.getXattr(root.resolve("usr/bin/ping6"), "security.capability"))
                    .as("the hard link's entry keeps the capability of the file it links to").isEqualTo(CAP_NET_RAW);
            return null;
        });
    }

    @Test
    void appliesOntoMountsOfContainerdsOwnOverlayfsSnapshotter() throws Exception {
        // As containerd's overlayfs lays them out: a bind mount for a snapshot without parent, then an
        // overlay with the parent's fs as lowerdir.
        Path snapshots = containerdRoot.resolve("io.containerd.snapshotter.v1.overlayfs/snapshots");
        Path fs1 = Files.createDirectories(snapshots.resolve("1/fs"));
        Path fs2 = Files.createDirectories(snapshots.resolve("2/fs"));
        Path work2 = Files.createDirectories(snapshots.resolve("2/work"));
        apply(descriptor(image.layers().get(0)), List.of(new Mount("bind", fs1.toString(), List.of("rw", "rbind"))));
        apply(descriptor(image.layers().get(1)), List.of(new Mount("overlay", "overlay",
                List.of("workdir=" + work2, "upperdir=" + fs2, "lowerdir=" + fs1))));
        Path expected = reference();
        Mounter.withMounted(List.of(new Mount("overlay", "overlay", List.of("ro", "lowerdir=" + fs2 + ":" + fs1))), root -> {
            TreeAssert.assertSameTree(expected, root);
            return null;
        });
    }

    @Test
    void refusesWhatItCannotApplyBeforeWritingAnything() throws Exception {
        Snapshotter sn = backends.get("overlayfs");
        List<Mount> mounts = sn.prepare("extract", "");
        Path target = Path.of(mounts.getFirst().source());
        ImageLayout.Layer base = image.layers().get(0);
        Descriptor good = descriptor(base);

        expect(Status.Code.UNIMPLEMENTED, "is no layer Strata applies",
                () -> apply(good.toBuilder().setMediaType("application/vnd.oci.image.layer.v1.tar+gzip+encrypted").build(), mounts));
        expect(Status.Code.UNIMPLEMENTED, "is no layer Strata applies",
                () -> apply(good.toBuilder().setMediaType("application/vnd.example.layer.v1.tar+lz4").build(), mounts));
        expect(Status.Code.INVALID_ARGUMENT, "diff descriptor missing",
                () -> diff.apply(ApplyRequest.newBuilder().addAllMounts(ProtoConvert.toProto(mounts)).build()));
        expect(Status.Code.INVALID_ARGUMENT, "invalid digest \"sha256:xyz\"",
                () -> apply(good.toBuilder().setDigest("sha256:xyz").build(), mounts));
        // The gzip base labelled as a plain tar, the zstd top labelled gzip: a media type that lies.
        expect(Status.Code.INVALID_ARGUMENT, "but its bytes are gzip",
                () -> apply(good.toBuilder().setMediaType("application/vnd.oci.image.layer.v1.tar").build(), mounts));
        expect(Status.Code.INVALID_ARGUMENT, "but its bytes are zstd",
                () -> apply(descriptor(image.layers().get(1)).toBuilder()
                        .setMediaType("application/vnd.oci.image.layer.v1.tar+gzip").build(), mounts));
        expect(Status.Code.INVALID_ARGUMENT, "its descriptor says " + (base.blob().size() + 1),
                () -> apply(good.toBuilder().setSize(base.blob().size() + 1).build(), mounts));
        String absent = "sha256:" + "0".repeat(64);
        expect(Status.Code.NOT_FOUND, "is not in containerd's content directory",
                () -> apply(good.toBuilder().setDigest(absent).build(), mounts));
        expect(Status.Code.INVALID_ARGUMENT, "no mounts", () -> apply(good, List.of()));

        // Mounts that reach outside Strata's and containerd's roots, directly or through a symlink.
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(containerdRoot.resolve("escape"), outside);
        for (List<Mount> bad : List.of(
                List.of(new Mount("bind", outside.toString(), List.of("rbind", "rw"))),
                List.of(new Mount("bind", containerdRoot.resolve("escape").toString(), List.of("rbind", "rw"))),
                List.of(new Mount("overlay", "overlay", List.of("workdir=" + outside, "upperdir=" + outside,
                        "lowerdir=" + target))),
                List.of(new Mount("bind", containerdRoot.toString(), List.of("rbind", "rw"))))) {
            expect(Status.Code.INVALID_ARGUMENT, "is outside what the differ may write to", () -> apply(good, bad));
        }
        expect(Status.Code.INVALID_ARGUMENT, "writes only to bind, overlay and loop-file mounts",
                () -> apply(good, List.of(new Mount("ext4", "/dev/sda1", List.of("rw")))));
        expect(Status.Code.UNIMPLEMENTED, "applies layers only",
                () -> diff.diff(DiffRequest.newBuilder().addAllRight(ProtoConvert.toProto(mounts)).build()));

        try (var left = Files.list(target); var out = Files.list(outside)) {
            assertThat(left).as("nothing written into the snapshot").isEmpty();
            assertThat(out).as("nothing written outside").isEmpty();
        }
        // The snapshot takes the layer afterwards.
        assertThat(apply(good, mounts).getApplied().getDigest()).isEqualTo(base.diffId());
    }

    @Test
    void aBlobThatDoesNotMatchItsDigestFailsAndLeavesTheSnapshotToRemove() throws Exception {
        Snapshotter sn = backends.get("overlayfs");
        ImageLayout.Layer base = image.layers().get(0);
        Path blob = new ContentDirectory(containerdRoot).blobPath(base.blob().digest());
        byte[] bytes = Files.readAllBytes(blob);
        Path saved = Files.write(dir.resolve("saved"), bytes);
        // The same size, one byte of the gzip trailer's CRC changed: it inflates, but is not the blob.
        bytes[bytes.length - 6] ^= 1;
        Files.write(blob, bytes);
        List<Mount> mounts = sn.prepare("extract", "");
        expect(Status.Code.INVALID_ARGUMENT, "", () -> apply(descriptor(base), mounts));
        // Truncated: the directory says how big it is before a byte is read.
        Files.write(blob, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        List<Mount> second = sn.prepare("extract-2", "");
        expect(Status.Code.INVALID_ARGUMENT, "has " + bytes.length / 2 + " bytes", () -> apply(descriptor(base), second));
        try (var left = Files.list(Path.of(second.getFirst().source()))) {
            assertThat(left).isEmpty();
        }
        sn.remove("extract");
        sn.remove("extract-2");
        Files.copy(saved, blob, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<Mount> again = sn.prepare("extract", "");
        assertThat(apply(descriptor(base), again).getApplied().getDigest()).isEqualTo(base.diffId());
    }

    static void expect(Status.Code code, String message, Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as("%s", e.getStatus()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(message);
        });
    }
}
