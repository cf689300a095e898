package io.strata.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.strata.archive.DiffResult;
import io.strata.archive.Layers;
import io.strata.codec.compress.Compression;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A registry on 127.0.0.1 for the AOT training run, so that {@code strata pull}'s path (the HTTP
 * client, the content store, inflating, hashing, applying) is in the cache too: it serves one
 * image, {@code training/app:1}, of two gzip layers made from trees written here (the second with
 * whiteouts), through the distribution API's GET and HEAD of manifests and blobs.
 */
final class TrainingRegistry implements AutoCloseable {
    private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private final Map<String, byte[]> blobs = new LinkedHashMap<>();
    private final HttpServer server;
    private final String manifestDigest;

    TrainingRegistry(Path scratch) throws IOException {
        Path base = scratch.resolve("base");
        Path next = scratch.resolve("next");
        tree(base, 400);
        tree(next, 200);
        Files.writeString(next.resolve("extra.txt"), "added in the second layer\n");
        DiffResult l1 = layer(Optional.empty(), base);
        DiffResult l2 = layer(Optional.of(base), next);
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"" + l1.diffId() + "\",\"" + l2.diffId() + "\"]}}";
        String configDigest = put(config.getBytes(StandardCharsets.UTF_8));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":"
                + config.length() + "},\"layers\":[" + descriptor(l1) + "," + descriptor(l2) + "]}";
        manifestDigest = put(manifest.getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/v2/", this::serve);
        server.start();
    }

    /** host:port of the registry. */
    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private static void tree(Path dir, int files) throws IOException {
        byte[] block = new byte[64 * 1024];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) (i * 31 + i / 7);
        }
        for (int i = 0; i < files; i++) {
            Path f = dir.resolve("d" + (i % 20)).resolve("f" + i);
            Files.createDirectories(f.getParent());
            Files.write(f, java.util.Arrays.copyOf(block, 1 + (i * 977) % block.length));
        }
        Files.createSymbolicLink(dir.resolve("link"), Path.of("d0/f0"));
    }

    private DiffResult layer(Optional<Path> lower, Path upper) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DiffResult r = Layers.diffTrees(lower, upper, out, Compression.GZIP);
        put(out.toByteArray());
        return r;
    }

    private static String descriptor(DiffResult r) {
        return "{\"mediaType\":\"" + r.mediaType() + "\",\"digest\":\"" + r.digest() + "\",\"size\":" + r.size() + "}";
    }

    private String put(byte[] blob) {
        try {
            String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
            blobs.put(digest, blob);
            return digest;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void serve(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            String object = path.substring(path.lastIndexOf('/') + 1);
            byte[] body = path.equals("/v2/") ? new byte[0]
                    : path.contains("/manifests/") ? blobs.get(object.equals("1") ? manifestDigest : object)
                    : path.contains("/blobs/") ? blobs.get(object) : null;
            if (body == null) {
                x.sendResponseHeaders(404, -1);
                return;
            }
            if (path.contains("/manifests/")) {
                x.getResponseHeaders().set("Content-Type", MANIFEST);
                x.getResponseHeaders().set("Docker-Content-Digest", object.equals("1") ? manifestDigest : object);
            }
            boolean head = x.getRequestMethod().equals("HEAD");
            x.getResponseHeaders().set("Content-Length", Long.toString(body.length));
            x.sendResponseHeaders(200, head || body.length == 0 ? -1 : body.length);
            if (!head && body.length > 0) {
                try (OutputStream out = x.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
