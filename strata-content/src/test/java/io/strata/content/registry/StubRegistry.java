package io.strata.content.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.strata.oci.Digests;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny registry for failure paths the real one cannot be made to show: auth challenges, 5xx,
 * cut connections. Serves one repository, {@code test/img}, from maps the test fills.
 */
final class StubRegistry implements AutoCloseable {
    enum Auth { NONE, BEARER, BASIC }

    final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    /** tag or digest → {mediaType, bytes} */
    final Map<String, Object[]> manifests = new ConcurrentHashMap<>();
    final List<String> ranges = new CopyOnWriteArrayList<>();
    final List<String> tokenQueries = new CopyOnWriteArrayList<>();
    volatile Auth auth = Auth.NONE;
    volatile String user = "alice";
    volatile String password = "s3cret";
    /** 500s to answer before serving each blob, counted down. */
    final AtomicInteger failures = new AtomicInteger();
    /** When > 0, a full blob GET sends this many bytes and then drops the connection. */
    volatile int cutAfter;
    /** With cutAfter: go silent (instead of dropping) for this long first. */
    volatile long stallMillis;
    private final HttpServer server;
    private final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();

    StubRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", this::token);
        server.createContext("/v2/", this::v2);
        server.setExecutor(pool);
        server.start();
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    void putManifest(String tagOrDigest, String mediaType, byte[] bytes) {
        manifests.put(tagOrDigest, new Object[] {mediaType, bytes});
        manifests.put(Digests.of(bytes), new Object[] {mediaType, bytes});
    }

    private String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private void token(HttpExchange ex) throws IOException {
        tokenQueries.add(ex.getRequestURI().getRawQuery());
        if (!basic().equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        send(ex, 200, "{\"token\":\"good-token\",\"expires_in\":300}".getBytes(StandardCharsets.UTF_8));
    }

    private void v2(HttpExchange ex) throws IOException {
        String authz = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == Auth.BEARER && !"Bearer good-token".equals(authz)) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + host()
                    + "/token\",service=\"stub\",scope=\"repository:test/img:pull\"");
            send(ex, 401, new byte[0]);
            return;
        }
        if (auth == Auth.BASIC && !basic().equals(authz)) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"stub\"");
            send(ex, 401, new byte[0]);
            return;
        }
        String path = ex.getRequestURI().getPath();
        String prefix = "/v2/test/img/";
        if (!path.startsWith(prefix)) {
            send(ex, 404, "{\"errors\":[{\"code\":\"NAME_UNKNOWN\"}]}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String rest = path.substring(prefix.length());
        if (rest.startsWith("manifests/")) {
            Object[] m = manifests.get(rest.substring("manifests/".length()));
            if (m == null) {
                send(ex, 404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            byte[] bytes = (byte[]) m[1];
            ex.getResponseHeaders().add("Content-Type", (String) m[0]);
            ex.getResponseHeaders().add("Docker-Content-Digest", Digests.of(bytes));
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().add("Content-Length", Integer.toString(bytes.length));
                ex.sendResponseHeaders(200, -1);
                ex.close();
                return;
            }
            send(ex, 200, bytes);
            return;
        }
        byte[] blob = blobs.get(rest.substring("blobs/".length()));
        if (blob == null) {
            send(ex, 404, "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            send(ex, 500, "boom".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null) {
            ranges.add(range);
            int from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (blob.length - 1) + "/" + blob.length);
            ex.sendResponseHeaders(206, blob.length - from);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(blob, from, blob.length - from);
            }
            return;
        }
        if (cutAfter > 0 && cutAfter < blob.length) {
            ex.sendResponseHeaders(200, blob.length);
            OutputStream os = ex.getResponseBody();
            os.write(blob, 0, cutAfter);
            os.flush();
            if (stallMillis > 0) {
                try {
                    Thread.sleep(stallMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            // A handler that throws makes the JDK server drop the connection: the client sees the cut.
            throw new IOException("cut after " + cutAfter + " bytes on purpose");
        }
        send(ex, 200, blob);
    }

    private static void send(HttpExchange ex, int code, byte[] body) throws IOException {
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
