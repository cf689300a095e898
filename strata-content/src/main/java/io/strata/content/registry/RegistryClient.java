package io.strata.content.registry;

import io.strata.api.FailedPreconditionException;
import io.strata.api.InvalidArgumentException;
import io.strata.api.NotFoundException;
import io.strata.api.UnavailableException;
import io.strata.content.Ingest;
import io.strata.oci.Descriptor;
import io.strata.oci.Digests;
import io.strata.oci.ImageDocument;
import io.strata.oci.MediaTypes;
import io.strata.oci.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * A client of the OCI distribution API (Docker registry v2) on {@code java.net.http}.
 *
 * <p>Transport: https, except hosts marked plain-http and, by default, loopback hosts
 * ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}) with a port other than 443 (containerd
 * tries https there first and falls back to http; we go straight to http). Docker Hub
 * ({@code docker.io}) is reached at {@code registry-1.docker.io}.
 *
 * <p>Auth: a request answered 401 with a {@code WWW-Authenticate} challenge is retried once with
 * a bearer token fetched from the challenge's realm ({@code service}, {@code scope}), sent with
 * basic credentials when the lookup has some, or with basic credentials directly for a
 * {@code Basic} challenge. Tokens are cached per host and scope.
 *
 * <p>Failures: 5xx, 429 and I/O errors are retried with exponential backoff (default 5 attempts
 * from 200 ms); a body cut mid-way, or silent for the idle timeout (default 60 s), is resumed with {@code Range}. 404 → {@link NotFoundException}
 * naming the reference; 401/403 after auth → {@link FailedPreconditionException} ("unauthorized",
 * "denied"); retries exhausted → {@link UnavailableException}; schema 1 or other unsupported
 * documents → {@link InvalidArgumentException}. Redirects are followed by hand so credentials are
 * never sent to the redirect target (blob storage such as S3 refuses them).
 *
 * <p>Thread-safe; one client serves parallel downloads. Close it when done: its HTTP client's
 * selector thread waits in the kernel until then, and a JVM exiting with a thread in native code
 * waits a further 300 ms for it.
 */
public final class RegistryClient implements AutoCloseable {
    private final HttpClient http;
    private final Set<String> plainHttp;
    private final int attempts;
    private final Duration backoff;
    /** Closes stalled bodies; one daemon thread for every client. */
    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                    .name("strata-registry-watchdog").factory());
    private final Duration idleTimeout;
    private final RegistryAuth auth;

    private RegistryClient(Builder b) {
        this.http = HttpClient.newBuilder().connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.plainHttp = Set.copyOf(b.plainHttp);
        this.attempts = b.attempts;
        this.backoff = b.backoff;
        this.idleTimeout = b.idleTimeout;
        this.auth = new RegistryAuth(b.credentials, this::exchange);
    }

    /** Aborts what is still in flight and stops the HTTP client's threads (waiting up to a second for them). */
    @Override
    public void close() {
        http.shutdownNow();
        try {
            http.awaitTermination(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A builder with the defaults above and no credentials. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link RegistryClient}; fails fast on bad values. */
    public static final class Builder {
        private Function<String, Optional<Credentials>> credentials = Credentials.none();
        private final java.util.HashSet<String> plainHttp = new java.util.HashSet<>();
        private int attempts = 5;
        private Duration backoff = Duration.ofMillis(200);
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(60);

        private Builder() {}

        /** Credentials by registry host (e.g. {@link Credentials#dockerConfig()}). */
        public Builder credentials(Function<String, Optional<Credentials>> lookup) {
            this.credentials = Objects.requireNonNull(lookup, "lookup");
            return this;
        }

        /** Talk plain http to {@code host} ({@code host[:port]} as in references): {@code --plain-http}. */
        public Builder plainHttp(String host) {
            plainHttp.add(Objects.requireNonNull(host, "host"));
            return this;
        }

        /** Attempts per request, ≥ 1 (default 5). */
        public Builder attempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("attempts must be >= 1, not " + n);
            }
            this.attempts = n;
            return this;
        }

        /** First retry delay, doubled per attempt up to 5 s (default 200 ms). */
        public Builder backoff(Duration d) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("backoff must not be negative: " + d);
            }
            this.backoff = d;
            return this;
        }

        /** A blob download that receives nothing for this long is cut and resumed (default 60 s). */
        public Builder idleTimeout(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("idle timeout must be positive: " + d);
            }
            this.idleTimeout = d;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = Objects.requireNonNull(d, "connectTimeout");
            return this;
        }

        public RegistryClient build() {
            return new RegistryClient(this);
        }
    }

    // ---- public operations ----

    /**
     * Resolves a reference to the descriptor of its manifest or index (HEAD, then GET if the
     * registry's HEAD lacks digest, type or size). For a digest reference the descriptor's digest
     * is the reference's.
     *
     * @throws NotFoundException if the registry has no such manifest
     * @throws InvalidArgumentException for schema 1 or a non-manifest media type
     */
    public Descriptor resolve(Reference ref) throws IOException {
        String path = "/v2/" + ref.path() + "/manifests/" + ref.object();
        HttpResponse<InputStream> head = send(ref, "HEAD", path, Map.of("Accept", MediaTypes.ACCEPT), ref.toString());
        head.body().close();
        Optional<String> type = head.headers().firstValue("Content-Type").map(MediaTypes::base);
        Optional<String> digest = ref.digest().or(() -> head.headers().firstValue("Docker-Content-Digest"));
        Optional<Long> size = head.headers().firstValueAsLong("Content-Length").stream().boxed().findFirst()
                .filter(n -> n > 0);
        if (type.isPresent() && MediaTypes.isSchema1(type.get())) {
            throw MediaTypes.schema1Unsupported(ref.toString());
        }
        if (type.isPresent() && digest.isPresent() && size.isPresent() && isDocument(type.get())) {
            return Descriptor.of(type.get(), Digests.require(digest.get()), size.get());
        }
        HttpResponse<InputStream> get = send(ref, "GET", path, Map.of("Accept", MediaTypes.ACCEPT), ref.toString());
        byte[] body;
        try (InputStream in = get.body()) {
            body = in.readNBytes(ImageDocument.MAX_SIZE + 1);
        }
        String actual = Digests.of(body);
        if (ref.digest().isPresent() && !ref.digest().get().equals(actual)) {
            throw new InvalidArgumentException(ref + ": digest mismatch: expected " + ref.digest().get() + ", got " + actual);
        }
        String t = get.headers().firstValue("Content-Type").map(MediaTypes::base).filter(RegistryClient::isDocument)
                .orElseGet(() -> ImageDocument.sniff(body));
        if (MediaTypes.isSchema1(t)) {
            throw MediaTypes.schema1Unsupported(ref.toString());
        }
        ImageDocument.parse(t, body);
        return Descriptor.of(t, actual, body.length);
    }

    private static boolean isDocument(String type) {
        return MediaTypes.isManifest(type) || MediaTypes.isIndex(type);
    }

    /**
     * Streams a blob, manifest or index of {@code repo} (its tag/digest is ignored). The stream
     * throws {@link InvalidArgumentException} at end of data if the size or digest differs from
     * {@code desc}: read it to the end before trusting it.
     */
    public InputStream fetch(Reference repo, Descriptor desc) throws IOException {
        HttpResponse<InputStream> r = send(repo, "GET", objectPath(repo, desc), accept(desc), repo.repository() + "@"
                + desc.digest());
        return new VerifyingInputStream(r.body(), desc);
    }

    /**
     * Downloads {@code desc} into {@code ingest}, continuing at {@link Ingest#offset()} with a
     * {@code Range} request and resuming the same way after a cut connection. Every byte written to
     * the ingest is also written to {@code tee} (in order, exactly once, starting at the ingest's
     * offset when called). Does not commit: the caller commits (which verifies the digest).
     *
     * @param progress told the ingest's offset after each chunk
     */
    public void download(Reference repo, Descriptor desc, Ingest ingest, OutputStream tee, LongConsumer progress)
            throws IOException {
        String path = objectPath(repo, desc);
        String what = repo.repository() + "@" + desc.digest();
        int failures = 0;
        while (ingest.offset() < desc.size()) {
            long offset = ingest.offset();
            Map<String, String> headers = new java.util.HashMap<>(accept(desc));
            if (offset > 0) {
                headers.put("Range", "bytes=" + offset + "-");
            }
            try {
                HttpResponse<InputStream> r = send(repo, "GET", path, headers, what);
                var lastRead = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
                InputStream body = r.body();
                var watchdog = WATCHDOG.scheduleAtFixedRate(() -> {
                    if (System.nanoTime() - lastRead.get() > idleTimeout.toNanos()) {
                        try {
                            body.close(); // aborts the exchange: the read below fails and we resume
                        } catch (IOException ignored) {
                            // closing is best effort; the read will fail either way
                        }
                    }
                }, idleTimeout.toMillis(), Math.max(1, idleTimeout.toMillis() / 4), java.util.concurrent.TimeUnit.MILLISECONDS);
                try (InputStream in = body) {
                    if (offset > 0 && r.statusCode() == 200) {
                        in.skipNBytes(offset); // the server ignored Range: drop what we have
                    }
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        long room = desc.size() - ingest.offset();
                        if (n > room) {
                            throw new InvalidArgumentException(what + ": the registry sent more than the " + desc.size()
                                    + " bytes the descriptor gives");
                        }
                        try {
                            ingest.write(buf, 0, n);
                            tee.write(buf, 0, n);
                        } catch (IOException local) {
                            throw new StoringFailed(local);
                        }
                        lastRead.set(System.nanoTime());
                        progress.accept(ingest.offset());
                    }
                } finally {
                    watchdog.cancel(false);
                }
                if (ingest.offset() < desc.size()) {
                    throw new IOException("connection closed at byte " + ingest.offset() + " of " + desc.size());
                }
            } catch (StoringFailed e) {
                // Our side failed (a full disk, the applier gone): asking the registry again cannot help.
                throw new UnavailableException(what + ": storing the download failed at byte " + ingest.offset()
                        + " of " + desc.size() + ": " + e.getCause().getMessage(), e.getCause());
            } catch (IOException e) {
                if (ingest.offset() > offset) {
                    failures = 0; // progress was made: a cut connection, resume at once
                }
                if (++failures >= attempts) {
                    throw new UnavailableException(what + ": download failed after " + attempts + " attempts at byte "
                            + ingest.offset() + " of " + desc.size() + ": " + e.getMessage(), e);
                }
                sleep(failures);
            }
        }
    }

    /** A write to the ingest or the tee failed: not the registry's fault, so not retried. */
    private static final class StoringFailed extends RuntimeException {
        StoringFailed(IOException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private static Map<String, String> accept(Descriptor desc) {
        return isDocument(desc.mediaType()) ? Map.of("Accept", desc.mediaType() + ", " + MediaTypes.ACCEPT) : Map.of();
    }

    private static String objectPath(Reference repo, Descriptor desc) {
        return "/v2/" + repo.path() + (isDocument(desc.mediaType()) ? "/manifests/" : "/blobs/") + desc.digest();
    }

    // ---- HTTP with auth, retries and redirects ----

    private HttpResponse<InputStream> send(Reference repo, String method, String path, Map<String, String> headers,
                                           String what) throws IOException {
        URI uri = URI.create(base(repo.domain()) + path);
        String scope = "repository:" + repo.path() + ":pull";
        boolean authRetried = false;
        int failures = 0;
        while (true) {
            HttpResponse<InputStream> r;
            try {
                r = exchange(uri, method, headers, auth.authorization(repo.domain(), scope));
            } catch (IOException e) {
                if (++failures >= attempts) {
                    throw new UnavailableException(what + ": registry " + repo.domain() + " unreachable after " + attempts
                            + " attempts: " + e, e);
                }
                sleep(failures);
                continue;
            }
            int code = r.statusCode();
            if (code == 200 || code == 206) {
                return r;
            }
            String body = errorBody(r);
            if (code == 401 && !authRetried) {
                authRetried = true;
                if (auth.authenticate(repo.domain(), scope, r)) {
                    continue;
                }
            }
            switch (code) {
                case 401 -> throw new FailedPreconditionException(what + ": unauthorized (401) by " + repo.domain()
                        + auth.credentialHint(repo.domain()) + body);
                case 403 -> throw new FailedPreconditionException(what + ": access denied (403) by " + repo.domain() + body);
                case 404 -> throw new NotFoundException(what + ": not found" + body);
                case 416 -> throw new InvalidArgumentException(what + ": range not satisfiable (416)" + body);
                default -> {
                    if ((code >= 500 || code == 429 || code == 408) && ++failures < attempts) {
                        sleep(failures);
                        continue;
                    }
                    if (code >= 500 || code == 429) {
                        throw new UnavailableException(what + ": registry answered " + code + " " + attempts + " times" + body);
                    }
                    throw new InvalidArgumentException(what + ": registry answered " + code + body);
                }
            }
        }
    }

    static String errorBody(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            String s = new String(in.readNBytes(512), StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "" : ": " + s.replaceAll("\\s+", " ");
        } catch (IOException e) {
            return "";
        }
    }

    /** One request, following up to 5 redirects without credentials. */
    private HttpResponse<InputStream> exchange(URI uri, String method, Map<String, String> headers,
                                               Optional<String> auth) throws IOException {
        URI target = uri;
        Optional<String> a = auth;
        for (int hop = 0; hop < 6; hop++) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(target).method(method, HttpRequest.BodyPublishers.noBody());
            headers.forEach(rb::header);
            a.ifPresent(v -> rb.header("Authorization", v));
            HttpResponse<InputStream> r;
            try {
                r = http.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            int code = r.statusCode();
            if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
                r.body().close();
                String loc = r.headers().firstValue("Location")
                        .orElseThrow(() -> new IOException("redirect " + code + " without Location from " + uri));
                URI next = target.resolve(loc);
                if (!next.getHost().equals(uri.getHost())) {
                    a = Optional.empty();
                }
                target = next;
                continue;
            }
            return r;
        }
        throw new IOException("too many redirects from " + uri);
    }

    private String base(String domain) {
        String host = domain.equals(Reference.DOCKER_HUB) ? "registry-1.docker.io" : domain;
        return (isPlainHttp(domain) ? "http://" : "https://") + host;
    }

    private boolean isPlainHttp(String domain) {
        if (plainHttp.contains(domain)) {
            return true;
        }
        int colon = domain.lastIndexOf(':');
        boolean hasPort = colon > domain.lastIndexOf(']');
        String host = hasPort ? domain.substring(0, colon) : domain;
        String port = hasPort ? domain.substring(colon + 1) : "";
        boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
        return loopback && !port.isEmpty() && !port.equals("443");
    }

    private void sleep(int failures) throws IOException {
        long ms = Math.min(5000, backoff.toMillis() << Math.min(failures - 1, 20));
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during backoff", e);
        }
    }
}
