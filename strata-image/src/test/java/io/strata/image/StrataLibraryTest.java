package io.strata.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.api.Mount;
import io.strata.fs.Mounter;
import io.strata.image.gc.GarbageCollector;
import io.strata.image.meta.ImageRecord;
import io.strata.image.unpack.Unpacker;
import io.strata.oci.PlatformMatcher;
import io.strata.testkit.OciArchive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's library example, end to end: import an OCI archive, unpack, mount a root file system, collect garbage. */
class StrataLibraryTest {
    @TempDir
    Path work;

    @Test
    void fromArchiveToMountedRootfsAndBack() throws Exception {
        Path base = Files.createDirectories(work.resolve("base/etc"));
        Files.writeString(base.resolve("os-release"), "ID=strata-test\n");
        Files.writeString(base.resolve("gone"), "x");
        Path top = Files.createDirectories(work.resolve("top/etc"));
        Files.writeString(top.resolve(".wh.gone"), "");
        Files.writeString(top.resolve("hostname"), "box\n");
        Path archive = OciArchive.build(work, "example.com/app:1", List.of(work.resolve("base"), work.resolve("top")),
                List.of("/bin/sh"));

        try (Strata strata = Strata.open(work.resolve("state"))) {
            // The README's example, in these lines:
            ImageRecord img = strata.importArchive("default", archive, Optional.empty()).getFirst();
            List<Mount> rootfs = strata.rootfs("default", img.name(), "overlayfs", "app-1", false);
            Path target = Files.createDirectories(work.resolve("rootfs"));
            Mounter.mountAll(rootfs, target);
            try {
                assertThat(target.resolve("etc/os-release")).hasContent("ID=strata-test\n");
                assertThat(target.resolve("etc/hostname")).hasContent("box\n");
                assertThat(target.resolve("etc/gone")).doesNotExist();
            } finally {
                Mounter.unmount(target);
            }
            assertThat(img.name()).isEqualTo("example.com/app:1");

            // Unpacking again skips every layer.
            List<Unpacker.Outcome> skipped = new ArrayList<>();
            strata.unpack("default", img.name(), "overlayfs", PlatformMatcher.host(), new Unpacker.Listener() {
                @Override
                public void finished(int index, Unpacker.Outcome outcome) {
                    skipped.add(outcome);
                }
            });
            assertThat(skipped).hasSize(2).allSatisfy(o -> assertThat(o.applied()).isEmpty());

            // GC keeps everything the image and the container need ...
            GarbageCollector.Result kept = strata.gc(false);
            assertThat(kept.content()).isEmpty();
            assertThat(kept.snapshots()).isEmpty();
            int blobs = strata.content().list().size();
            assertThat(blobs).isEqualTo(4); // manifest, config, two layers
            // ... and once both are gone, removes everything.
            strata.snapshotter(Strata.DEFAULT_NAMESPACE, "overlayfs").remove("app-1");
            strata.metadata().deleteImage("default", img.name());
            GarbageCollector.Result removed = strata.gc(false);
            assertThat(removed.content()).hasSize(blobs);
            assertThat(removed.snapshots().get("overlayfs")).hasSize(2);
            assertThat(strata.content().list()).isEmpty();
        }
    }
}
