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

/**
 * A real registry for tests: Debian's {@code docker-registry} on 127.0.0.1 at a free port, storing
 * under a directory of the test's, plain http. Images are pushed with {@code skopeo} from OCI
 * layouts the tests build themselves.
 */
public final class LocalRegistry implements AutoCloseable {
    private final Process process;
    private final String host;

    private LocalRegistry(Process process, String host) {
        this.process = process;
        this.host = host;
    }

    /** Whether docker-registry and skopeo are installed. */
    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/docker-registry")) && Files.isExecutable(Path.of("/usr/bin/skopeo"));
    }

    /** Starts a registry storing under {@code dir} and waits until it answers {@code /v2/}. */
    public static LocalRegistry start(Path dir) throws IOException, InterruptedException {
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
                """.formatted(dir.resolve("data"), host));
        Process p = new ProcessBuilder("/usr/bin/docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return new LocalRegistry(p, host);
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
        cmd.add("oci:" + layout + ":" + tag);
        cmd.add("docker://" + host + "/" + name + ":" + tag);
        OciArchive.run(layout, cmd.toArray(String[]::new));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
