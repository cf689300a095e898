package io.strata.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real registry for tests: Debian's {@code docker-registry} on 127.0.0.1 at a free port, storing
 * under a directory of the test's, plain http, open or behind htpasswd (basic) or token (bearer)
 * auth. Images are pushed with {@code skopeo} from OCI layouts the tests build themselves, or
 * blob by blob over the registry API when the manifest is one skopeo would refuse to copy.
 */
public final class LocalRegistry implements AutoCloseable {
    private final Process process;
    private final String host;
    private final Path data;
    private final Auth auth;

    private LocalRegistry(Process process, String host, Path data, Auth auth) {
        this.process = process;
        this.host = host;
        this.data = data;
        this.auth = auth;
    }

    /**
     * How the registry authenticates: the {@code auth:} section of its config, and the
     * {@code user:password} pushes use.
     */
    public record Auth(String config, Optional<String> pushCredentials) {
        /** No auth: anyone pulls and pushes. */
        public static Auth none() {
            return new Auth("", Optional.empty());
        }

        /** Basic auth against an htpasswd file (written to {@code dir}) holding one user. */
        public static Auth htpasswd(Path dir, String user, String password) throws IOException {
            Path file = Files.createDirectories(dir).resolve("htpasswd");
            Files.writeString(file, user + ":" + Bcrypt.hash(password) + "\n");
            return new Auth("""
                    auth:
                      htpasswd:
                        realm: strata-test
                        path: %s
                    """.formatted(file), Optional.of(user + ":" + password));
        }

        /** Bearer tokens from {@code server} for {@code service}; pushes log in as {@code user}. */
        public static Auth token(TokenServer server, String service, String user, String password) {
            return new Auth("""
                    auth:
                      token:
                        realm: %s
                        service: %s
                        issuer: %s
                        rootcertbundle: %s
                    """.formatted(server.realm(), service, server.issuer(), server.rootCertBundle()),
                    Optional.of(user + ":" + password));
        }
    }

    /** Whether docker-registry and skopeo are installed. */
    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/docker-registry")) && Files.isExecutable(Path.of("/usr/bin/skopeo"));
    }

    /**
     * For a test that needs the registry: aborts it where docker-registry or skopeo is missing on a
     * developer's machine, fails it under CI ({@code CI} set), where .ci/run installs both.
     */
    public static void assumeAvailable() {
        if (!available()) {
            org.assertj.core.api.Assertions.assertThat(System.getenv("CI"))
                    .as("docker-registry and skopeo must be installed in CI").isNull();
            org.junit.jupiter.api.Assumptions.abort("docker-registry/skopeo not installed");
        }
    }

    /** Starts an open registry storing under {@code dir} and waits until it answers {@code /v2/}. */
    public static LocalRegistry start(Path dir) throws IOException, InterruptedException {
        return start(dir, Auth.none());
    }

    /** Starts a registry with {@code auth} storing under {@code dir} and waits until it answers {@code /v2/}. */
    public static LocalRegistry start(Path dir, Auth auth) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String host = "127.0.0.1:" + port;
        Files.createDirectories(dir);
        Path config = dir.resolve("registry.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: %s
                """.formatted(dir.resolve("data"), host) + auth.config());
        Process p = new ProcessBuilder("/usr/bin/docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                // 401: up, and asking for the credentials it was configured with.
                if (r.statusCode() == 200 || r.statusCode() == 401) {
                    return new LocalRegistry(p, host, dir.resolve("data"), auth);
                }
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroy();
                    throw new IOException("docker-registry did not start: " + Files.readString(dir.resolve("registry.log")), notYet);
                }
            }
            Thread.sleep(100);
        }
    }

    /** {@code 127.0.0.1:<port>}. */
    public String host() {
        return host;
    }

    /** Pushes tag {@code tag} of OCI layout {@code layout} as {@code <host>/<name>:<tag>} (all platforms if {@code all}). */
    public void push(Path layout, String tag, String name, boolean all) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "--insecure-policy", "copy", "--preserve-digests",
                "--dest-tls-verify=false"));
        if (all) {
            cmd.add("--all");
        }
        auth.pushCredentials().ifPresent(c -> cmd.add("--dest-creds=" + c));
        cmd.add("oci:" + layout + ":" + tag);
        cmd.add("docker://" + host + "/" + name + ":" + tag);
        OciArchive.run(layout, cmd.toArray(String[]::new));
    }

    /**
     * Pushes {@code target} of {@code layout} as {@code <host>/<name>:<tag>} over the registry API,
     * uploading every blob of the layout as it is: for manifests that lie (skopeo checks what it
     * copies). Only to a registry without auth.
     */
    public void pushAsIs(ImageLayout layout, ImageLayout.Blob target, String mediaType, String name, String tag)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://" + host + "/v2/" + name;
        try (var files = Files.list(layout.root().resolve("blobs/sha256"))) {
            for (Path blob : (Iterable<Path>) files::iterator) {
                var started = expect(http, HttpRequest.newBuilder(URI.create(base + "/blobs/uploads/"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), 202);
                URI upload = URI.create(base).resolve(started.headers().firstValue("Location").orElseThrow());
                String sep = upload.getRawQuery() == null ? "?" : "&";
                expect(http, HttpRequest.newBuilder(URI.create(upload + sep + "digest=sha256:" + blob.getFileName()))
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofFile(blob)).build(), 201);
            }
        }
        expect(http, HttpRequest.newBuilder(URI.create(base + "/manifests/" + tag)).header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofFile(layout.root().resolve("blobs/sha256/" + target.digest().substring(7))))
                .build(), 201);
    }

    private static HttpResponse<String> expect(HttpClient http, HttpRequest request, int status)
            throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != status) {
            throw new IOException(request.method() + " " + request.uri() + ": " + r.statusCode() + " " + r.body());
        }
        return r;
    }

    /**
     * The file the registry serves blob {@code digest} from (its filesystem driver's layout): a
     * test may corrupt it to make a real registry serve bytes that do not match their digest.
     */
    public Path blobFile(String digest) {
        String hex = digest.substring("sha256:".length());
        return data.resolve("docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
