package io.strata.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.Mount;
import io.strata.api.NotFoundException;
import io.strata.content.image.PlatformMatcher;
import io.strata.content.registry.PullListener;
import io.strata.fs.Mounter;
import io.strata.image.meta.ImageRecord;
import io.strata.testkit.LocalRegistry;
import io.strata.testkit.OciArchive;
import io.strata.testkit.TreeAssert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pull from a real registry (Debian's docker-registry), unpack, mount, and compare with GNU tar's extraction. */
class StrataPullTest {
    @TempDir
    Path work;

    @Test
    void pullsUnpacksAndMountsWhatGnuTarWouldExtract() throws Exception {
        if (!LocalRegistry.available()) {
            assertThat(System.getenv("CI")).as("docker-registry and skopeo must be installed in CI").isNull();
            Assumptions.abort("docker-registry/skopeo not installed");
        }
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
            ImageRecord img = strata.pull("default", ref, PlatformMatcher.host(), Set.of(registry.host()), 3, PullListener.none());
            assertThat(img.name()).isEqualTo(ref);
            List<Mount> mounts = strata.rootfs("default", ref, "native", "c1", true);
            Path target = Files.createDirectories(work.resolve("rootfs"));
            Mounter.mountAll(mounts, target);
            try {
                Path expected = Files.createDirectories(work.resolve("expected"));
                for (String layer : List.of("base", "top")) {
                    OciArchive.run(work, "tar", "-C", expected.toString(), "-xf", work.resolve("layer-" + ("base".equals(layer) ? 0 : 1) + ".tar").toString());
                }
                // GNU tar does not know whiteouts: carry out the opaque marker by hand on the reference.
                io.strata.testkit.Tree.deleteTree(expected.resolve("var/cache/old"));
                Files.delete(expected.resolve("var/cache/.wh..wh..opq"));
                TreeAssert.assertSameTree(expected, target);
            } finally {
                Mounter.unmount(target);
            }
            assertThatThrownBy(() -> strata.pull("default", registry.host() + "/strata/none:1", PlatformMatcher.host(),
                    Set.of(registry.host()), 3, PullListener.none())).isInstanceOf(NotFoundException.class);
        }
    }
}
