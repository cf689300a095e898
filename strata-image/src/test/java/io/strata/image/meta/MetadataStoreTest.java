package io.strata.image.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.AlreadyExistsException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.NotFoundException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataStoreTest {
    @TempDir
    Path dir;
    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);
    static final String INDEX = "application/vnd.oci.image.index.v1+json";

    @Test
    void imagesPersistByNamespace() {
        try (MetadataStore m = MetadataStore.open(dir.resolve("meta.db"))) {
            ImageRecord a = m.createImage("default", ImageRecord.of("docker.io/library/app:1", INDEX, D1, 10, Map.of("k", "v")));
            assertThat(a.created()).isEqualTo(a.updated());
            assertThatThrownBy(() -> m.createImage("default", ImageRecord.of("docker.io/library/app:1", INDEX, D2, 1, Map.of())))
                    .isInstanceOf(AlreadyExistsException.class).hasMessageContaining("app:1");
            m.createImage("other", ImageRecord.of("docker.io/library/app:1", INDEX, D2, 20, Map.of()));
            ImageRecord moved = m.putImage("default", ImageRecord.of("docker.io/library/app:1", INDEX, D2, 30, Map.of()));
            assertThat(moved.created()).isEqualTo(a.created());
            assertThat(moved.updated()).isAfterOrEqualTo(a.updated());
            assertThat(moved.labels()).isEmpty();
        }
        try (MetadataStore m = MetadataStore.open(dir.resolve("meta.db"))) {
            assertThat(m.image("default", "docker.io/library/app:1").orElseThrow().digest()).isEqualTo(D2);
            assertThat(m.images("other")).extracting(ImageRecord::size).containsExactly(20L);
            assertThat(m.namespaces()).containsExactly("default", "other");
            m.deleteImage("other", "docker.io/library/app:1");
            assertThat(m.images("other")).isEmpty();
            assertThatThrownBy(() -> m.deleteImage("other", "docker.io/library/app:1")).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> m.createImage("bad/ns", ImageRecord.of("x", INDEX, D1, 1, Map.of())))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("bad/ns");
            // The one grammar (io.strata.api.Namespaces) that events also check: "a..b" is stored by neither.
            assertThatThrownBy(() -> m.createImage("a..b", ImageRecord.of("x", INDEX, D1, 1, Map.of())))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("a..b");
            assertThat(m.namespaces()).doesNotContain("a..b");
            assertThatThrownBy(() -> ImageRecord.of("x", INDEX, "md5:1", 1, Map.of()))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("md5:1");
        }
    }

    @Test
    void leasesHoldResources() {
        try (MetadataStore m = MetadataStore.open(dir.resolve("meta.db"))) {
            m.createLease("default", "pull-1", Map.of("containerd.io/gc.expire", "2030-01-01T00:00:00Z"));
            m.addLeaseResource("default", "pull-1", new Lease.Resource("content", D1));
            m.addLeaseResource("default", "pull-1", new Lease.Resource("content", D1));
            m.addLeaseResource("default", "pull-1", new Lease.Resource("snapshots/overlayfs", "extract-1 x"));
            assertThat(m.lease("default", "pull-1").orElseThrow().resources()).containsExactly(
                    new Lease.Resource("content", D1), new Lease.Resource("snapshots/overlayfs", "extract-1 x"));
            assertThatThrownBy(() -> m.createLease("default", "pull-1", Map.of())).isInstanceOf(AlreadyExistsException.class);
            assertThatThrownBy(() -> m.addLeaseResource("default", "nope", new Lease.Resource("content", D1)))
                    .isInstanceOf(NotFoundException.class);
            m.deleteLease("default", "pull-1");
            assertThat(m.leases("default")).isEmpty();
        }
    }
}
