package io.strata.content.registry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.FailedPreconditionException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.NotFoundException;
import io.strata.api.UnavailableException;
import io.strata.content.ContentInfo;
import io.strata.content.ContentStore;
import io.strata.content.TestImages;
import io.strata.oci.Descriptor;
import io.strata.oci.Digests;
import io.strata.oci.Manifest;
import io.strata.oci.MediaTypes;
import io.strata.oci.Platform;
import io.strata.oci.PlatformMatcher;
import io.strata.oci.Reference;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against {@link StubRegistry}: auth, errors, retries and Range resume. */
class RegistryClientStubTest {
    @TempDir
    Path tmp;
    StubRegistry stub;
    TestImages.Built image;
    Manifest manifest;
    Reference ref;

    @BeforeEach
    void setUp() throws Exception {
        stub = new StubRegistry();
        image = TestImages.ociLayout(tmp.resolve("layout"), tmp, "v1", List.of(Platform.parse("linux/amd64")), 2,
                200_000);
        image.blobs().forEach((d, b) -> stub.blobs.put(d, b));
        stub.putManifest("v1", MediaTypes.OCI_MANIFEST, image.targetBytes());
        manifest = Manifest.parse(MediaTypes.OCI_MANIFEST, image.targetBytes());
        ref = Reference.parse(stub.host() + "/test/img:v1");
    }

    @AfterEach
    void tearDown() {
        stub.close();
    }

    private RegistryClient.Builder client() {
        return RegistryClient.builder().backoff(Duration.ofMillis(1));
    }

    private void assertPulled(ContentStore cs) throws IOException {
        for (var e : image.blobs().entrySet()) {
            try (InputStream in = cs.open(e.getKey())) {
                assertThat(in.readAllBytes()).as(e.getKey()).isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void bearerTokenWithCredentialsFromDockerConfig() throws Exception {
        stub.auth = StubRegistry.Auth.BEARER;
        Path config = tmp.resolve("config.json");
        Files.writeString(config, "{\"auths\":{\"" + stub.host() + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(UTF_8)) + "\"}}}");
        var client = client().credentials(Credentials.dockerConfig(config)).build();
        try (ContentStore cs = ContentStore.open(tmp.resolve("store"))) {
            PullPlan plan = new Puller(client, cs, 3).pull(ref, PlatformMatcher.host(), PullListener.none());
            assertThat(plan.target().digest()).isEqualTo(image.target().digest());
            assertThat(plan.images()).singleElement().extracting(PullPlan.PlatformImage::layers)
                    .isEqualTo(manifest.layers());
            assertPulled(cs);
            assertThat(cs.info(plan.target().digest()).orElseThrow().labels())
                    .containsEntry("containerd.io/gc.ref.content.config", manifest.config().digest())
                    .containsEntry("containerd.io/gc.ref.content.l.1", manifest.layers().get(1).digest());
        }
        assertThat(stub.tokenQueries).isNotEmpty()
                .allSatisfy(q -> assertThat(q).contains("service=stub").contains("scope=repository%3Atest%2Fimg%3Apull"));
    }

    @Test
    void bearerWithWrongCredentialsIsUnauthorized() {
        stub.auth = StubRegistry.Auth.BEARER;
        var client = client().credentials(h -> Optional.of(new Credentials("alice", "wrong"))).build();
        assertThatThrownBy(() -> client.resolve(ref)).isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("401").hasMessageContaining("configured credentials");
    }

    @Test
    void basicAuth() throws Exception {
        stub.auth = StubRegistry.Auth.BASIC;
        assertThatThrownBy(() -> client().build().resolve(ref)).isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("unauthorized").hasMessageContaining("no credentials");
        var client = client().credentials(h -> Optional.of(new Credentials("alice", "s3cret"))).build();
        assertThat(client.resolve(ref).digest()).isEqualTo(image.target().digest());
    }

    @Test
    void unknownReferenceIsNotFoundNamingIt() {
        Reference missing = Reference.parse(stub.host() + "/test/img:nope");
        assertThatThrownBy(() -> client().build().resolve(missing)).isInstanceOf(NotFoundException.class)
                .hasMessageContaining(missing.toString());
        Reference otherRepo = Reference.parse(stub.host() + "/other/img:v1");
        assertThatThrownBy(() -> client().build().resolve(otherRepo)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void serverErrorsAreRetriedThenGiveUp() throws Exception {
        stub.failures.set(2);
        try (ContentStore cs = ContentStore.open(tmp.resolve("store"))) {
            new Puller(client().build(), cs, 1).pull(ref, PlatformMatcher.all(), PullListener.none());
            assertPulled(cs);
        }
        stub.failures.set(1000);
        try (ContentStore cs = ContentStore.open(tmp.resolve("store2"))) {
            assertThatThrownBy(() -> new Puller(client().attempts(3).build(), cs, 1)
                    .pull(ref, PlatformMatcher.all(), PullListener.none()))
                    .isInstanceOf(UnavailableException.class).hasMessageContaining("500");
        }
    }

    @Test
    void aCutConnectionResumesWithRange() throws Exception {
        stub.cutAfter = 70_000;
        var seen = new java.util.concurrent.ConcurrentHashMap<String, Long>();
        try (ContentStore cs = ContentStore.open(tmp.resolve("store"))) {
            new Puller(client().build(), cs, 2).pull(ref, PlatformMatcher.all(),
                    (blob, bytes, total) -> seen.merge(blob.digest(), bytes, Math::max));
            assertPulled(cs);
            assertThat(cs.listIngests()).isEmpty();
        }
        assertThat(stub.ranges).isNotEmpty().allSatisfy(r -> assertThat(r).matches("bytes=[1-9][0-9]*-"));
        for (Descriptor l : manifest.layers()) {
            assertThat(seen).containsEntry(l.digest(), l.size());
        }
    }

    // The stub stalls for 10 s: finishing well inside that shows the idle timeout cut the stall
    // (a hang guard, like any @Timeout, not a measure of speed).
    @Test
    @org.junit.jupiter.api.Timeout(value = 9, unit = java.util.concurrent.TimeUnit.SECONDS,
            threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aStalledDownloadIsCutByTheIdleTimeoutAndResumed() throws Exception {
        stub.cutAfter = 50_000;
        stub.stallMillis = 10_000;
        try (ContentStore cs = ContentStore.open(tmp.resolve("store"))) {
            new Puller(client().idleTimeout(Duration.ofMillis(300)).build(), cs, 2)
                    .pull(ref, PlatformMatcher.all(), PullListener.none());
            assertPulled(cs);
        }
        assertThat(stub.ranges).contains("bytes=50000-");
    }

    @Test
    void aResumedIngestOnlyFetchesTheRest() throws Exception {
        Descriptor layer = manifest.layers().getFirst();
        byte[] bytes = image.blobs().get(layer.digest());
        try (ContentStore cs = ContentStore.open(tmp.resolve("store"))) {
            try (var w = cs.writer(Puller.refKey(layer), layer.size(), Optional.of(layer.digest()))) {
                w.write(bytes, 0, 1000); // an earlier, interrupted pull
            }
            var teed = new ByteArrayOutputStream();
            var completed = new AtomicBoolean();
            var puller = new Puller(client().build(), cs, 3);
            PullPlan plan = puller.plan(ref, PlatformMatcher.host(), PullListener.none());
            puller.fetchLayers(plan, PullListener.none(), d -> d.equals(layer) ? Optional.of(new BlobSink() {
                @Override
                public void write(byte[] b, int off, int len) {
                    teed.write(b, off, len);
                }

                @Override
                public void complete(ContentInfo blob) {
                    completed.set(blob.digest().equals(layer.digest()));
                }

                @Override
                public void failed(Throwable cause) {
                    throw new AssertionError(cause);
                }
            }) : Optional.empty());
            assertThat(teed.toByteArray()).isEqualTo(bytes); // prefix replayed, rest streamed, once each
            assertThat(completed).isTrue();
            assertPulled(cs);
        }
        assertThat(stub.ranges).contains("bytes=1000-");
    }

    @Test
    void aBlobWithWrongBytesIsRefusedAndNotStored() throws Exception {
        Descriptor layer = manifest.layers().get(1);
        byte[] bad = image.blobs().get(layer.digest()).clone();
        bad[10] ^= 1;
        stub.blobs.put(layer.digest(), bad);
        var failed = new AtomicBoolean();
        try (ContentStore cs = ContentStore.open(tmp.resolve("store"))) {
            var puller = new Puller(client().build(), cs, 3);
            PullPlan plan = puller.plan(ref, PlatformMatcher.host(), PullListener.none());
            assertThatThrownBy(() -> puller.fetchLayers(plan, PullListener.none(), d -> Optional.of(new BlobSink() {
                @Override
                public void write(byte[] b, int off, int len) {}

                @Override
                public void complete(ContentInfo blob) {}

                @Override
                public void failed(Throwable cause) {
                    failed.set(true);
                }
            }))).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("digest mismatch")
                    .hasMessageContaining(layer.digest());
            assertThat(cs.info(layer.digest())).isEmpty();
            assertThat(failed).isTrue();
        }
    }

    @Test
    void schema1AndMissingPlatformsAreClearErrors() throws Exception {
        stub.putManifest("old", MediaTypes.DOCKER_SCHEMA1_SIGNED, "{\"schemaVersion\":1}".getBytes(UTF_8));
        assertThatThrownBy(() -> client().build().resolve(Reference.parse(stub.host() + "/test/img:old")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("schema 1");
        try (ContentStore cs = ContentStore.open(tmp.resolve("store"))) {
            assertThatThrownBy(() -> new Puller(client().build(), cs, 3).pull(ref,
                    PlatformMatcher.only(Platform.parse("linux/s390x")), PullListener.none()))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("linux/amd64");
        }
    }

    @Test
    void aManifestServedAsAnIndexIsRefusedBeforeAnyLayerIsFetched() throws Exception {
        stub.putManifest("posing", MediaTypes.OCI_INDEX, image.targetBytes());
        try (ContentStore cs = ContentStore.open(tmp.resolve("store"))) {
            assertThatThrownBy(() -> new Puller(client().build(), cs, 3).pull(
                    Reference.parse(stub.host() + "/test/img:posing"), PlatformMatcher.host(), PullListener.none()))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining(MediaTypes.OCI_MANIFEST).hasMessageContaining(MediaTypes.OCI_INDEX);
            for (Descriptor l : manifest.layers()) {
                assertThat(cs.info(l.digest())).isEmpty();
            }
        }
    }

    @Test
    void wwwAuthenticateParsing() {
        var cs = AuthChallenge.parse("Bearer realm=\"https://auth.example/token\",service=\"reg, ok\",scope=\"repository:a/b:pull\", Basic realm=x");
        assertThat(cs).hasSize(2);
        assertThat(cs.get(0).scheme()).isEqualTo("bearer");
        assertThat(cs.get(0).params()).containsEntry("realm", "https://auth.example/token")
                .containsEntry("service", "reg, ok").containsEntry("scope", "repository:a/b:pull");
        assertThat(cs.get(1).scheme()).isEqualTo("basic");
        assertThat(cs.get(1).params()).containsEntry("realm", "x");
        assertThat(Digests.of(new byte[0])).startsWith("sha256:e3b0");
    }
}
