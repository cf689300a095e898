package io.strata.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.Mount;
import io.strata.api.NotFoundException;
import io.strata.content.registry.PullListener;
import io.strata.fs.Mounter;
import io.strata.image.meta.ImageRecord;
import io.strata.testkit.GnuTarReference;
import io.strata.testkit.LocalRegistry;
import io.strata.testkit.OciArchive;
import io.strata.testkit.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pull from a real registry (Debian's docker-registry), unpack, mount, and compare with GNU tar's extraction. */
class StrataPullTest {
    @TempDir
    Path work;

    @Test
    void pullsUnpacksAndMountsWhatGnuTarWouldExtract() throws Exception {
        LocalRegistry.assumeAvailable();
        Path base = Files.createDirectories(work.resolve("base/usr/bin"));
        Files.writeString(base.resolve("tool"), "#!/bin/sh\necho tool\n");
        Files.createDirectories(work.resolve("base/var/cache/old"));
        Files.writeString(work.resolve("base/var/cache/old/data"), "old");
        Path top = Files.createDirectories(work.resolve("top/var/cache"));
        Files.writeString(top.resolve(".wh..wh..opq"), "");
        Files.writeString(top.resolve("fresh"), "fresh");
        OciArchive.build(work, "strata/pulled:1", List.of(work.resolve("base"), work.resolve("top")), List.of("/usr/bin/tool"));

        try (LocalRegistry registry = LocalRegistry.start(work.resolve("registry"));
             Strata strata = Strata.open(work.resolve("state"))) {
            registry.push(work.resolve("layout"), "1", "strata/pulled", false);
            String ref = registry.host() + "/strata/pulled:1";
            ImageRecord img = strata.pull(PullRequest.of("default", ref).withPlainHttp(Set.of(registry.host())), PullListener.none());
            assertThat(img.name()).isEqualTo(ref);
            List<Mount> mounts = strata.rootfs("default", ref, "native", "c1", true);
            Path target = Files.createDirectories(work.resolve("rootfs"));
            Mounter.mountAll(mounts, target);
            try {
                Path expected = GnuTarReference.extract(List.of(work.resolve("layer-0.tar"), work.resolve("layer-1.tar")),
                        work.resolve("expected"));
                assertThat(expected.resolve("var/cache/old")).doesNotExist();
                TreeAssert.assertSameTree(expected, target);
            } finally {
                Mounter.unmount(target);
            }
            // Pulled and unpacked in one pass, layers applied as they download, into another backend.
            List<String> unpacked = new java.util.ArrayList<>();
            ImageRecord streamed = strata.pullAndUnpack(PullRequest.of("other", ref).withPlainHttp(Set.of(registry.host())), PullListener.none(), "overlayfs", new io.strata.image.unpack.Unpacker.Listener() {
                        @Override
                        public void finished(int index, io.strata.image.unpack.Unpacker.Outcome o) {
                            unpacked.add(o.chainId() + (o.applied().isPresent() ? " applied" : " skipped"));
                        }
                    });
            assertThat(streamed.digest()).isEqualTo(img.digest());
            assertThat(unpacked).hasSize(2).allMatch(u -> u.endsWith(" applied"));
            Path target2 = Files.createDirectories(work.resolve("rootfs2"));
            Mounter.mountAll(strata.rootfs("other", ref, "overlayfs", "c2", true), target2);
            try {
                TreeAssert.assertSameTree(work.resolve("expected"), target2);
            } finally {
                Mounter.unmount(target2);
            }
            // Fresh content store and snapshots: the layers really stream from the registry.
            try (Strata fresh = Strata.open(work.resolve("state2"))) {
                fresh.pullAndUnpack(PullRequest.of("default", ref).withPlainHttp(Set.of(registry.host())).withParallelism(1), PullListener.none(),
                        "native", new io.strata.image.unpack.Unpacker.Listener() {});
                Path target3 = Files.createDirectories(work.resolve("rootfs3"));
                Mounter.mountAll(fresh.rootfs("default", ref, "native", "c3", true), target3);
                try {
                    TreeAssert.assertSameTree(work.resolve("expected"), target3);
                } finally {
                    Mounter.unmount(target3);
                }
                assertThat(fresh.content().list()).hasSize(4);
            }
            assertThatThrownBy(() -> strata.pull(PullRequest.of("default", registry.host() + "/strata/none:1").withPlainHttp(Set.of(registry.host())), PullListener.none())).isInstanceOf(NotFoundException.class);
        }
    }
}
