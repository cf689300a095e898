package io.strata.image;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.api.FailedPreconditionException;
import io.strata.content.registry.Credentials;
import io.strata.content.registry.PullListener;
import io.strata.testkit.GnuTarReference;
import io.strata.testkit.ImageLayout.LayerSpec;
import io.strata.testkit.ImageLayout;
import io.strata.testkit.LocalRegistry;
import io.strata.testkit.TokenServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls through the library from Debian's docker-registry behind basic auth (an htpasswd file) and
 * behind bearer tokens (a token server of the test's whose signing certificate is the registry's
 * root bundle), the credentials read from a Docker {@code config.json}. A wrong password is a
 * clear error naming the registry, and leaves nothing stored.
 */
class StrataRegistryAuthTest {
    private static final String USER = "alice";
    private static final String PASSWORD = "s3cret";

    @TempDir
    Path work;
    ImageLayout layout;
    ImageLayout.Image image;
    Path expected;

    @BeforeEach
    void buildImage() throws Exception {
        LocalRegistry.assumeAvailable();
        Path base = Files.createDirectories(work.resolve("src/base/etc"));
        Files.writeString(base.resolve("secret-app"), "only for alice\n");
        Path top = Files.createDirectories(work.resolve("src/top/etc"));
        Files.writeString(top.resolve(".wh.secret-app"), "");
        Files.writeString(top.resolve("app"), "v2\n");
        layout = ImageLayout.create(work.resolve("layout"), work.resolve("tars"));
        image = layout.image("linux/" + StrataPullFormatsTest.hostArch(),
                List.of(LayerSpec.gzip(base.getParent()), LayerSpec.zstd(top.getParent())), List.of("/bin/sh"));
        layout.tag("1", ImageLayout.OCI_MANIFEST, image.manifest(), Optional.empty());
        expected = GnuTarReference.extract(image.tars(), work.resolve("expected"));
    }

    /** A Docker config.json with {@code user:password} for {@code host}, as {@code docker login} writes it. */
    private Path dockerConfig(String name, String host, String password) throws Exception {
        Path file = Files.createDirectories(work.resolve(name)).resolve("config.json");
        Files.writeString(file, "{\"auths\":{\"" + host + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString((USER + ":" + password).getBytes(UTF_8)) + "\"}}}");
        return file;
    }

    @Test
    void basicAuthFromHtpasswd() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(work.resolve("registry"),
                LocalRegistry.Auth.htpasswd(work.resolve("auth"), USER, PASSWORD))) {
            registry.push(layout.root(), "1", "strata/private", false);
            pullsWithTheRightPasswordOnly(registry, "strata/private");
        }
    }

    @Test
    void bearerTokenFromATokenServer() throws Exception {
        try (TokenServer tokens = TokenServer.start(work.resolve("auth"), "strata-test-issuer", USER, PASSWORD);
             LocalRegistry registry = LocalRegistry.start(work.resolve("registry"),
                     LocalRegistry.Auth.token(tokens, "strata-test-registry", USER, PASSWORD))) {
            registry.push(layout.root(), "1", "strata/private", false);
            int pushQueries = tokens.queries().size();
            pullsWithTheRightPasswordOnly(registry, "strata/private");
            // Strata asked for a pull token for the repository, for the registry's service.
            assertThat(tokens.queries().subList(pushQueries, tokens.queries().size())).isNotEmpty()
                    .allSatisfy(q -> assertThat(q).contains("service=strata-test-registry")
                            .contains("scope=repository%3Astrata%2Fprivate%3Apull"));
        }
    }

    private void pullsWithTheRightPasswordOnly(LocalRegistry registry, String name) throws Exception {
        String ref = registry.host() + "/" + name + ":1";
        try (Strata strata = Strata.open(work.resolve("wrong"),
                Credentials.dockerConfig(dockerConfig("wrong-config", registry.host(), "not-" + PASSWORD)))) {
            assertThatThrownBy(() -> strata.pullAndUnpack(PullRequest.of("default", ref), PullListener.none(), "overlayfs", new RecordingListener()))
                    .isInstanceOf(FailedPreconditionException.class).hasMessageContaining(registry.host())
                    .hasMessageContaining("401").hasMessageContaining("configured credentials")
                    .satisfies(e -> assertThat(everyMessage(e)).doesNotContain("not-" + PASSWORD,
                            Base64.getEncoder().encodeToString((USER + ":not-" + PASSWORD).getBytes(UTF_8))));
            assertNothingStored(strata);
        }
        try (Strata strata = Strata.open(work.resolve("anonymous"), Credentials.none())) {
            assertThatThrownBy(() -> strata.pull(PullRequest.of("default", ref), PullListener.none()))
                    .isInstanceOf(FailedPreconditionException.class).hasMessageContaining(registry.host())
                    .hasMessageContaining("no credentials configured");
            assertNothingStored(strata);
        }
        try (Strata strata = Strata.open(work.resolve("right"),
                Credentials.dockerConfig(dockerConfig("right-config", registry.host(), PASSWORD)))) {
            RecordingListener unpacked = new RecordingListener();
            strata.pullAndUnpack(PullRequest.of("default", ref), PullListener.none(), "overlayfs",
                    unpacked);
            UnpackedTree.assertSame(strata.snapshotter(Strata.DEFAULT_NAMESPACE, "overlayfs"), unpacked.top(), expected, work);
            assertThat(strata.image("default", ref).digest()).isEqualTo(image.manifest().digest());
        }
    }

    /** The messages of {@code e}, its causes and suppressed errors: where a secret must never appear. */
    private static String everyMessage(Throwable e) {
        StringBuilder b = new StringBuilder();
        java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>(java.util.List.of(e));
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (!todo.isEmpty()) {
            Throwable t = todo.poll();
            if (seen.add(t)) {
                b.append(t).append('\n');
                if (t.getCause() != null) {
                    todo.add(t.getCause());
                }
                todo.addAll(java.util.List.of(t.getSuppressed()));
            }
        }
        return b.toString();
    }

    private static void assertNothingStored(Strata strata) {
        assertThat(strata.content().list()).isEmpty();
        assertThat(strata.content().listIngests()).isEmpty();
        assertThat(strata.metadata().images("default")).isEmpty();
        assertThat(strata.snapshotter(Strata.DEFAULT_NAMESPACE, "overlayfs").list()).isEmpty();
    }
}
