package io.strata.oci;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.InvalidArgumentException;
import io.strata.api.NotFoundException;
import io.strata.oci.json.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageModelTest {
    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);
    private static final String D3 = "sha256:" + "3".repeat(64);

    @Test
    void manifestRoundTripsThroughJson() {
        var m = new Manifest(MediaTypes.OCI_MANIFEST, Descriptor.of(MediaTypes.OCI_CONFIG, D1, 10),
                List.of(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, D2, 20),
                        new Descriptor(MediaTypes.OCI_LAYER_ZSTD, D3, 30, Map.of("k", "v"), Optional.empty(),
                                List.of("https://example.com/x"))),
                Map.of("org.opencontainers.image.created", "2024"));
        byte[] json = m.toJson();
        assertThat(Manifest.parse(MediaTypes.OCI_MANIFEST, json)).isEqualTo(m);
        assertThat(new String(json, UTF_8)).startsWith("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST);
    }

    @Test
    void indexRoundTripsAndSelectsByPlatform() {
        var amd = Descriptor.of(MediaTypes.DOCKER_MANIFEST, D1, 1).withPlatform(Platform.parse("linux/amd64"));
        var arm = Descriptor.of(MediaTypes.DOCKER_MANIFEST, D2, 2).withPlatform(Platform.parse("linux/arm64/v8"));
        var armv6 = Descriptor.of(MediaTypes.DOCKER_MANIFEST, D3, 3).withPlatform(Platform.parse("linux/arm/v6"));
        var idx = new Index(MediaTypes.DOCKER_MANIFEST_LIST, List.of(armv6, amd, arm), Map.of());
        assertThat(Index.parse(MediaTypes.DOCKER_MANIFEST_LIST, idx.toJson())).isEqualTo(idx);
        assertThat(idx.select(PlatformMatcher.only(Platform.parse("linux/arm64")))).containsExactly(arm, armv6);
        assertThat(idx.select(PlatformMatcher.only(Platform.parse("linux/arm/v7")))).containsExactly(armv6);
        assertThat(idx.select(PlatformMatcher.only(Platform.parse("linux/amd64")))).containsExactly(amd);
        assertThat(idx.select(PlatformMatcher.all())).hasSize(3);
        assertThatThrownBy(() -> idx.select(PlatformMatcher.only(Platform.parse("linux/s390x"))))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("linux/s390x")
                .hasMessageContaining("linux/arm64");
        assertThatThrownBy(() -> idx.select(PlatformMatcher.exact(Platform.parse("linux/arm/v7"))))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void documentsThatLieAboutTheirTypeAreRefused() {
        byte[] index = new Index(MediaTypes.OCI_INDEX, List.of(), Map.of()).toJson();
        assertThatThrownBy(() -> ImageDocument.parse(MediaTypes.OCI_MANIFEST, index))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("declares media type");
        byte[] noType = "{\"schemaVersion\":2,\"manifests\":[]}".getBytes(UTF_8);
        assertThatThrownBy(() -> ImageDocument.parse(MediaTypes.OCI_MANIFEST, noType))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("is not a manifest");
        assertThat(ImageDocument.parse(MediaTypes.OCI_INDEX, noType)).isInstanceOf(Index.class);
        byte[] badLayer = ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\""
                + D1 + "\",\"size\":1},\"layers\":[{\"mediaType\":\"text/plain\",\"digest\":\"" + D2 + "\",\"size\":1}]}")
                .getBytes(UTF_8);
        assertThatThrownBy(() -> ImageDocument.parse(MediaTypes.OCI_MANIFEST, badLayer))
                .hasMessageContaining("non-layer media type text/plain");
    }

    @Test
    void schema1IsClearlyUnsupported() {
        assertThatThrownBy(() -> ImageDocument.parse(MediaTypes.DOCKER_SCHEMA1_SIGNED, "{}".getBytes(UTF_8)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("schema 1");
        byte[] v1 = "{\"schemaVersion\":1,\"fsLayers\":[]}".getBytes(UTF_8);
        assertThatThrownBy(() -> ImageDocument.parse(MediaTypes.DOCKER_MANIFEST, v1)).hasMessageContaining("schema 1");
        assertThatThrownBy(() -> ImageDocument.sniff(v1)).hasMessageContaining("schema 1");
    }

    @Test
    void strictJson() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}")).hasMessageContaining("duplicate key");
        assertThatThrownBy(() -> Json.parse("{} x")).hasMessageContaining("trailing");
        assertThatThrownBy(() -> Json.parse("[".repeat(200) + "]".repeat(200))).hasMessageContaining("nesting");
        assertThatThrownBy(() -> Json.parse("\"a\u0001\"")).hasMessageContaining("control");
        assertThat(Json.parse("{\"s\":\"\\u00e9\\n\",\"n\":-1.5e3,\"b\":[true,false,null],\"big\":99999999999999999999}"))
                .isEqualTo(Json.parse(Json.write(Json.parse(
                        "{\"s\":\"\\u00e9\\n\",\"n\":-1.5e3,\"b\":[true,false,null],\"big\":99999999999999999999}"))));
    }

    @ParameterizedTest
    @CsvSource({
            "linux/amd64, linux/amd64",
            "linux/x86_64, linux/amd64",
            "linux/aarch64, linux/arm64",
            "linux/arm64/v8, linux/arm64",
            "linux/arm, linux/arm/v7",
            "linux/armhf, linux/arm/v7",
            "linux/armel, linux/arm/v6",
            "linux/i386, linux/386",
            "Linux/AMD64/v1, linux/amd64",
            "linux/arm64/v9, linux/arm64/v9",
    })
    void platformsNormalizeAsContainerd(String in, String normalized) {
        assertThat(Platform.parse(in).toString()).isEqualTo(normalized);
        assertThat(Platform.parse(in)).isEqualTo(Platform.parse(normalized));
    }

    @Test
    void platformMatchingFollowsContainerdsVector() {
        var amd64v3 = PlatformMatcher.only(Platform.parse("linux/amd64/v3"));
        assertThat(amd64v3.matches(Platform.parse("linux/amd64/v2"))).isTrue();
        assertThat(amd64v3.matches(Platform.parse("linux/amd64"))).isTrue();
        assertThat(amd64v3.matches(Platform.parse("linux/386"))).isTrue();
        assertThat(amd64v3.matches(Platform.parse("linux/amd64/v4"))).isFalse();
        assertThat(amd64v3.rank(Platform.parse("linux/amd64/v3"))).isLessThan(amd64v3.rank(Platform.parse("linux/amd64")));
        assertThat(PlatformMatcher.only(Platform.parse("linux/arm/v6")).matches(Platform.parse("linux/arm/v7"))).isFalse();
        assertThat(PlatformMatcher.only(Platform.parse("linux/amd64")).matches(Platform.parse("windows/amd64"))).isFalse();
        assertThat(Platform.host().os()).isEqualTo("linux");
        assertThatThrownBy(() -> Platform.parse("linux//amd64")).isInstanceOf(InvalidArgumentException.class);
        assertThat(Platform.parse("arm64")).isEqualTo(new Platform("linux", "arm64", ""));
    }

    @ParameterizedTest
    @CsvSource({
            "busybox, docker.io/library/busybox:latest, docker.io, library/busybox",
            "busybox:1.36, docker.io/library/busybox:1.36, docker.io, library/busybox",
            "user/app, docker.io/user/app:latest, docker.io, user/app",
            "index.docker.io/library/alpine, docker.io/library/alpine:latest, docker.io, library/alpine",
            "localhost/app, localhost/app:latest, localhost, app",
            "localhost:5000/a/b/c:v1.2-rc_3, localhost:5000/a/b/c:v1.2-rc_3, localhost:5000, a/b/c",
            "127.0.0.1:5000/name@sha256:1111111111111111111111111111111111111111111111111111111111111111, 127.0.0.1:5000/name@sha256:1111111111111111111111111111111111111111111111111111111111111111, 127.0.0.1:5000, name",
            "ghcr.io/o/r:t@sha256:1111111111111111111111111111111111111111111111111111111111111111, ghcr.io/o/r:t@sha256:1111111111111111111111111111111111111111111111111111111111111111, ghcr.io, o/r",
            "[::1]:5000/x, [::1]:5000/x:latest, [::1]:5000, x",
            "a__b/c-d--e.f, docker.io/a__b/c-d--e.f:latest, docker.io, a__b/c-d--e.f",
    })
    void referencesNormalize(String in, String full, String domain, String path) {
        Reference r = Reference.parse(in);
        assertThat(r.toString()).isEqualTo(full);
        assertThat(r.domain()).isEqualTo(domain);
        assertThat(r.path()).isEqualTo(path);
        assertThat(Reference.parse(r.toString())).isEqualTo(r);
    }

    @Test
    void badReferences() {
        for (String bad : List.of("", "Busybox", "busybox:", "a//b", "-a", "busybox@sha256:abc", "busybox:" + "t".repeat(129),
                "host:5000/UPPER", "a/b:t:u", "x@md5:" + "a".repeat(32))) {
            assertThatThrownBy(() -> Reference.parse(bad)).as(bad).isInstanceOf(InvalidArgumentException.class);
        }
        assertThat(Reference.parse("busybox@" + D1).object()).isEqualTo(D1);
        assertThat(Reference.parse("busybox@" + D1).tag()).isEmpty();
    }

    @Test
    void chainIdsMatchAHandComputedValue() {
        String l0 = Digests.of("layer0".getBytes(UTF_8));
        String l1 = Digests.of("layer1".getBytes(UTF_8));
        String l2 = Digests.of("layer2".getBytes(UTF_8));
        String c1 = Digests.of((l0 + " " + l1).getBytes(UTF_8));
        String c2 = Digests.of((c1 + " " + l2).getBytes(UTF_8));
        assertThat(ChainIds.of(List.of(l0, l1, l2))).containsExactly(l0, c1, c2);
        // a fixed vector, computed with: printf 'sha256:%s sha256:%s' $(printf a|sha256sum|cut -c1-64) $(printf b|sha256sum|cut -c1-64) | sha256sum
        assertThat(ChainIds.of(List.of(Digests.of("a".getBytes(UTF_8)), Digests.of("b".getBytes(UTF_8)))).get(1))
                .isEqualTo("sha256:" + FIXED_AB);
        assertThat(ChainIds.of(List.of())).isEmpty();
    }

    private static final String FIXED_AB = "51c0c8ace48498d6f5fee6b0592cc06f2da0f3cbe09c5a34a97dce85c3889676";

    @Test
    void imageConfigReadsDiffIds() {
        byte[] cfg = ("{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\",\"config\":{\"Env\":[\"A=1\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + D1 + "\",\"" + D2 + "\"]}}").getBytes(UTF_8);
        ImageConfig c = ImageConfig.parse(cfg);
        assertThat(c.platform()).isEqualTo(Platform.parse("linux/arm64"));
        assertThat(c.diffIds()).containsExactly(D1, D2);
        assertThat(c.chainIds()).hasSize(2).first().isEqualTo(D1);
    }
}
