package io.strata.fs;

import static io.strata.fs.MountOptions.MS_BIND;
import static io.strata.fs.MountOptions.MS_NODEV;
import static io.strata.fs.MountOptions.MS_NOSUID;
import static io.strata.fs.MountOptions.MS_PRIVATE;
import static io.strata.fs.MountOptions.MS_RDONLY;
import static io.strata.fs.MountOptions.MS_REC;
import static io.strata.fs.MountOptions.MS_RELATIME;
import static io.strata.fs.MountOptions.MS_SHARED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.InvalidArgumentException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountOptionsTest {
    @Test
    void splitsFlagsFromDataKeepingDataOrder() {
        MountOptions o = MountOptions.parse(List.of("ro", "nosuid", "lowerdir=/a:/b", "userxattr", "nodev",
                "upperdir=/u", "index=off", "relatime"));
        assertThat(o.flags()).isEqualTo(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_RELATIME);
        assertThat(o.data()).containsExactly("lowerdir=/a:/b", "userxattr", "upperdir=/u", "index=off");
        assertThat(o.dataString()).isEqualTo("lowerdir=/a:/b,userxattr,upperdir=/u,index=off");
        assertThat(o.propagation()).isZero();
        assertThat(o.loop()).isFalse();
    }

    @Test
    void laterWordsClearEarlierOnes() {
        assertThat(MountOptions.parse(List.of("ro", "rw")).flags()).isZero();
        assertThat(MountOptions.parse(List.of("nosuid", "suid", "nodev")).flags()).isEqualTo(MS_NODEV);
        assertThat(MountOptions.parse(List.of("rw", "ro")).has(MS_RDONLY)).isTrue();
    }

    @Test
    void bindPropagationAndLoop() {
        MountOptions o = MountOptions.parse(List.of("rbind", "rprivate", "loop", "defaults"));
        assertThat(o.flags()).isEqualTo(MS_BIND | MS_REC);
        assertThat(o.propagation()).isEqualTo(MS_PRIVATE | MS_REC);
        assertThat(o.loop()).isTrue();
        assertThat(o.data()).isEmpty();
        assertThat(MountOptions.parse(List.of("bind", "shared")).propagation()).isEqualTo(MS_SHARED);
        assertThat(MountOptions.parse(List.of("bind")).flags()).isEqualTo(MS_BIND);
    }

    @Test
    void refusesWhatItCannotDo() {
        assertThatThrownBy(() -> MountOptions.parse(List.of("X-containerd.mkdir.path=/x")))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> MountOptions.parse(List.of("uidmap=0:1000:1")))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void splitsOverlayLowerdirsWithEscapesAndDataLayers() {
        assertThat(OverlayMount.splitLowerdirs("/a:/b:/c")).containsExactly(List.of("/a", "/b", "/c"));
        assertThat(OverlayMount.splitLowerdirs("/with\\:colon:/b")).containsExactly(List.of("/with:colon", "/b"));
        assertThat(OverlayMount.splitLowerdirs("/l1:/l2::/d1::/d2"))
                .containsExactly(List.of("/l1", "/l2"), List.of("/d1", "/d2"));
    }

    @Test
    void mountAttributesFromFlags() {
        assertThat(OverlayMount.attributes(MS_RDONLY | MS_NOSUID)).isEqualTo(
                OverlayMount.MOUNT_ATTR_RDONLY | OverlayMount.MOUNT_ATTR_NOSUID);
        assertThat(OverlayMount.attributes(MountOptions.MS_NOATIME | MountOptions.MS_NOEXEC)).isEqualTo(
                OverlayMount.MOUNT_ATTR_NOATIME | OverlayMount.MOUNT_ATTR_NOEXEC);
        assertThat(OverlayMount.attributes(0)).isZero();
    }
}
