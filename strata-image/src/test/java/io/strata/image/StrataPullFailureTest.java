package io.strata.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.Info;
import io.strata.api.InvalidArgumentException;
import io.strata.api.UnavailableException;
import io.strata.content.registry.PullListener;
import io.strata.oci.Descriptor;
import io.strata.oci.PlatformMatcher;
import io.strata.testkit.GnuTarReference;
import io.strata.testkit.ImageLayout.LayerSpec;
import io.strata.testkit.ImageLayout;
import io.strata.testkit.LocalRegistry;
import io.strata.testkit.LoopFileSystem;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input from a real registry (Debian's docker-registry) through the library: a config whose
 * DiffID is not its layer's, blob bytes that do not match their digest, layer media types that lie
 * or that no unpacker knows, a registry that dies mid-download. (A document served under another
 * document's media type is refused by this registry at push; RegistryClientStubTest serves one.) Each is a clear error of the right
 * kind; no snapshot of the bad layer is committed, nothing already there is lost, a partial
 * download is kept to be resumed or deleted when it is wrong, and a later good pull works.
 */
class StrataPullFailureTest {
    @TempDir
    Path work;
    LocalRegistry registry;
    Strata strata;
    Path good;

    @BeforeEach
    void start() throws Exception {
        LocalRegistry.assumeAvailable();
        registry = LocalRegistry.start(work.resolve("registry"));
        strata = Strata.open(work.resolve("state"));
        good = Files.createDirectories(work.resolve("src/good/etc"));
        Files.writeString(good.resolve("base"), "the good base layer\n");
        good = good.getParent();
    }

    @AfterEach
    void stop() throws Exception {
        if (strata != null) {
            strata.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private Path dir(String name, Map<String, byte[]> files) throws Exception {
        Path d = Files.createDirectories(work.resolve("src/" + name));
        for (var e : files.entrySet()) {
            Files.createDirectories(d.resolve(e.getKey()).getParent());
            Files.write(d.resolve(e.getKey()), e.getValue());
        }
        return d;
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Builds an image of {@code layers} in a layout of its own, tagged {@code 1}, and pushes it with skopeo. */
    private ImageLayout.Image push(String name, List<LayerSpec> layers) throws Exception {
        ImageLayout layout = ImageLayout.create(work.resolve("layout-" + name.replace('/', '-')), work.resolve("tars-" + name.replace('/', '-')));
        ImageLayout.Image image = layout.image("linux/" + StrataPullFormatsTest.hostArch(), layers, List.of("/bin/sh"));
        layout.tag("1", ImageLayout.OCI_MANIFEST, image.manifest(), Optional.empty());
        registry.push(layout.root(), "1", name, false);
        return image;
    }

    private String ref(String name) {
        return registry.host() + "/" + name + ":1";
    }

    private RecordingListener pullAndUnpack(String name) {
        RecordingListener l = new RecordingListener();
        strata.pullAndUnpack(PullRequest.of("default", ref(name)), PullListener.none(), "overlayfs", l);
        return l;
    }

    /** Pulls and unpacks {@code name}, checks what the applier found, and the tree against GNU tar's. */
    private void assertPullsAndUnpacks(String name, ImageLayout.Image image, String... compressions) throws Exception {
        RecordingListener unpacked = pullAndUnpack(name);
        assertThat(unpacked.compressions()).containsExactly(compressions);
        UnpackedTree.assertSame(strata.snapshotter(Strata.DEFAULT_NAMESPACE, "overlayfs"), unpacked.top(),
                GnuTarReference.extract(image.tars(), Files.createTempDirectory(work, "expected-")), work);
    }

    private List<String> snapshots() {
        return strata.snapshotter(Strata.DEFAULT_NAMESPACE, "overlayfs").list().stream().map(Info::name).sorted().toList();
    }

    @Test
    void aDiffIdThatIsNotTheLayersCommitsNothingAndLosesNothing() throws Exception {
        Path second = dir("second", Map.of("etc/second", "second\n".getBytes()));
        ImageLayout.Image goodImage = push("strata/good", List.of(LayerSpec.gzip(good), LayerSpec.gzip(second)));
        String goodTop = pullAndUnpack("strata/good").top();
        Path goodTree = GnuTarReference.extract(goodImage.tars(), work.resolve("expected-good"));
        List<String> before = snapshots();

        Path other = dir("other", Map.of("etc/other", "other\n".getBytes()));
        String wrong = "sha256:" + "5".repeat(64);
        ImageLayout.Image bad = push("strata/liar", List.of(LayerSpec.gzip(good), LayerSpec.gzip(other).withDiffId(wrong)));
        String badLayer = bad.layers().get(1).blob().digest();
        assertThatThrownBy(() -> pullAndUnpack("strata/liar")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("DiffID mismatch").hasMessageContaining(badLayer).hasMessageContaining(wrong);
        // The shared base was already unpacked; nothing of the bad layer was committed or left behind.
        assertThat(snapshots()).isEqualTo(before);
        assertThat(strata.metadata().image("default", ref("strata/liar"))).isEmpty();

        // Pulled first, then unpacked: the same error, the same nothing.
        strata.pull(PullRequest.of("default", ref("strata/liar")), PullListener.none());
        assertThatThrownBy(() -> strata.unpack("default", ref("strata/liar"), "overlayfs", PlatformMatcher.host(),
                new RecordingListener())).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("DiffID mismatch").hasMessageContaining(badLayer);
        assertThat(snapshots()).isEqualTo(before);
        UnpackedTree.assertSame(strata.snapshotter(Strata.DEFAULT_NAMESPACE, "overlayfs"), goodTop, goodTree, work);

        // The image fixed and pushed again under the same tag pulls.
        ImageLayout.Image fixed = push("strata/liar", List.of(LayerSpec.gzip(good), LayerSpec.gzip(other)));
        assertPullsAndUnpacks("strata/liar", fixed, "skipped", "gzip");
    }

    @Test
    void blobBytesThatDoNotMatchTheirDigestAreDeletedAndNeverUnpacked() throws Exception {
        Path payload = dir("payload", Map.of("var/payload.bin", random(2 << 20, 11)));
        ImageLayout.Image image = push("strata/corrupt", List.of(LayerSpec.gzip(good),
                LayerSpec.of(payload, ImageLayout.Compression.NONE)));
        String badLayer = image.layers().get(1).blob().digest();
        Path stored = registry.blobFile(badLayer);
        byte[] original = Files.readAllBytes(stored);
        try (RandomAccessFile f = new RandomAccessFile(stored.toFile(), "rw")) {
            f.seek(original.length / 2); // inside the file's bytes: the tar itself stays well formed
            f.write(original[original.length / 2] ^ 0x40);
        }

        assertThatThrownBy(() -> pullAndUnpack("strata/corrupt")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("digest mismatch").hasMessageContaining(badLayer);
        assertThat(strata.content().info(badLayer)).isEmpty();
        assertThat(strata.content().listIngests()).isEmpty(); // wrong bytes are deleted, not kept to resume
        assertThat(snapshots()).hasSize(1).noneMatch(n -> n.startsWith("extract-")); // the good base only
        assertThat(strata.metadata().image("default", ref("strata/corrupt"))).isEmpty();
        assertThatThrownBy(() -> strata.pull(PullRequest.of("default", ref("strata/corrupt")), PullListener.none())).isInstanceOf(InvalidArgumentException.class).hasMessageContaining(badLayer);

        Files.write(stored, original); // the registry repaired
        assertPullsAndUnpacks("strata/corrupt", image, "skipped", "none");
    }

    @Test
    void aDownloadCutByADyingRegistryIsKeptAndResumed() throws Exception {
        Path big = dir("big", Map.of("var/big.bin", random(48 << 20, 13)));
        ImageLayout.Image image = push("strata/big", List.of(LayerSpec.gzip(good), LayerSpec.of(big, ImageLayout.Compression.NONE)));
        Descriptor layer = Descriptor.of(ImageLayout.OCI_LAYER, image.layers().get(1).blob().digest(),
                image.layers().get(1).blob().size());
        PullListener killer = new PullListener() {
            @Override
            public void progress(Descriptor blob, long bytes, long total) {
                if (blob.digest().equals(layer.digest()) && bytes >= (4 << 20)) {
                    try {
                        registry.close(); // the registry dies with the layer half sent
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        assertThatThrownBy(() -> strata.pullAndUnpack(PullRequest.of("default", ref("strata/big")), killer, "overlayfs", new RecordingListener())).isInstanceOf(UnavailableException.class)
                .hasMessageContaining(layer.digest());
        assertThat(strata.content().listIngests()).singleElement()
                .satisfies(i -> assertThat(i.offset()).isBetween(4L << 20, layer.size() - 1));
        assertThat(snapshots()).hasSize(1).noneMatch(n -> n.startsWith("extract-"));

        // The same data, served again (on another port): the pull goes on from where it stopped.
        registry = LocalRegistry.start(work.resolve("registry"));
        Map<String, Long> firstOffset = new ConcurrentHashMap<>();
        RecordingListener unpacked = new RecordingListener();
        strata.pullAndUnpack(PullRequest.of("default", ref("strata/big")), new PullListener() {
            @Override
            public void progress(Descriptor blob, long bytes, long total) {
                firstOffset.putIfAbsent(blob.digest(), bytes);
            }
        }, "overlayfs", unpacked);
        assertThat(firstOffset.get(layer.digest())).isGreaterThanOrEqualTo(4L << 20);
        assertThat(strata.content().listIngests()).isEmpty();
        UnpackedTree.assertSame(strata.snapshotter(Strata.DEFAULT_NAMESPACE, "overlayfs"), unpacked.top(),
                GnuTarReference.extract(image.tars(), work.resolve("expected")), work);
    }

    @Test
    void aLayerLabelledZstdThatIsGzipUnpacksByWhatItIsAsContainerdDoes() throws Exception {
        Path top = dir("top", Map.of("etc/top", "top\n".getBytes()));
        ImageLayout.Image image = push("strata/mislabelled", List.of(LayerSpec.gzip(good),
                LayerSpec.gzip(top).declaredAs(ImageLayout.Compression.ZSTD.mediaType())));
        assertPullsAndUnpacks("strata/mislabelled", image, "gzip", "gzip");
    }

    @Test
    void aLayerMediaTypeNoUnpackerKnowsIsRefusedBeforeAnyLayerIsFetched() throws Exception {
        Path top = dir("top", Map.of("etc/top", "top\n".getBytes()));
        ImageLayout layout = ImageLayout.create(work.resolve("layout"), work.resolve("tars"));
        String encrypted = ImageLayout.OCI_LAYER + "+gzip+encrypted";
        ImageLayout.Image image = layout.image("linux/" + StrataPullFormatsTest.hostArch(),
                List.of(LayerSpec.gzip(good), LayerSpec.gzip(top).declaredAs(encrypted)), List.of("/bin/sh"));
        registry.pushAsIs(layout, image.manifest(), ImageLayout.OCI_MANIFEST, "strata/sealed", "1");
        assertThatThrownBy(() -> pullAndUnpack("strata/sealed")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(encrypted).hasMessageContaining(image.layers().get(1).blob().digest());
        for (ImageLayout.Layer l : image.layers()) {
            assertThat(strata.content().info(l.blob().digest())).isEmpty();
        }
        assertThat(snapshots()).isEmpty();
        assertThat(strata.metadata().images("default")).isEmpty();
    }

    @Test
    void aFullDiskFailsThePullClearlyLosesNothingAndThePullWorksOnceThereIsSpace() throws Exception {
        try (LoopFileSystem fs = LoopFileSystem.create("ext4", 128)) {
            strata.close();
            strata = Strata.open(fs.mountPoint().resolve("state"));
            try {
                ImageLayout.Image small = push("strata/small", List.of(LayerSpec.gzip(good)));
                assertPullsAndUnpacks("strata/small", small, "gzip");
                List<String> before = snapshots();
                Path smallTree = GnuTarReference.extract(small.tars(), work.resolve("expected-small"));

                Path big = dir("big", Map.of("var/big.bin", random(32 << 20, 17)));
                ImageLayout.Image image = push("strata/big", List.of(LayerSpec.gzip(good), LayerSpec.of(big, ImageLayout.Compression.NONE)));
                Path filler = LoopFileSystem.fill(fs.mountPoint().resolve("filler"), 12 << 20);

                assertThatThrownBy(() -> pullAndUnpack("strata/big")).isInstanceOf(UnavailableException.class)
                        .hasMessageContainingAll("storing the download failed", "No space left on device");
                // Nothing committed. The unpacker's own cleanup may itself fail on the full disk: what it
                // leaves is an active extract snapshot, which GC removes once there is space again.
                List<String> leftovers = snapshots().stream().filter(n -> !before.contains(n)).toList();
                assertThat(leftovers).allSatisfy(n -> {
                    assertThat(n).startsWith("extract-");
                    assertThat(strata.snapshotter(Strata.DEFAULT_NAMESPACE, "overlayfs").stat(n).kind()).isEqualTo(io.strata.api.Kind.ACTIVE);
                });
                assertThat(strata.metadata().image("default", ref("strata/big"))).isEmpty();

                Files.delete(filler); // space is back
                // GC reports the keys as stored, with the namespace in front.
                assertThat(strata.gc(false).snapshots().getOrDefault("overlayfs", List.of()))
                        .containsExactlyInAnyOrderElementsOf(leftovers.stream().map(n -> "default/" + n).toList());
                assertThat(snapshots()).isEqualTo(before);
                assertThat(strata.metadata().image("default", ref("strata/small"))).isPresent();
                UnpackedTree.assertSame(strata.snapshotter(Strata.DEFAULT_NAMESPACE, "overlayfs"), before.getFirst(), smallTree, work);
                assertPullsAndUnpacks("strata/big", image, "skipped", "none");
                assertThat(strata.content().listIngests()).isEmpty();
            } finally {
                strata.close();
                strata = null;
            }
        }
    }
}
