package io.strata.content.registry;

import io.strata.api.FailedPreconditionException;
import io.strata.api.InvalidArgumentException;
import io.strata.oci.json.Json;
import io.strata.oci.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A registry's authentication as the distribution spec and Docker's token protocol define it: a
 * 401's {@code WWW-Authenticate} challenge is answered with basic credentials, or with a bearer
 * token fetched from the challenge's realm (with basic credentials when the lookup has some). The
 * answer is remembered per host (and the token per scope) for the requests after it.
 */
final class RegistryAuth {
    /** How a token request goes out: as every other request, redirects followed by hand. */
    @FunctionalInterface
    interface Transport {
        HttpResponse<InputStream> exchange(URI uri, String method, Map<String, String> headers, Optional<String> auth)
                throws IOException;
    }

    private final Function<String, Optional<Credentials>> credentials;
    private final Transport transport;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Map<String, AuthChallenge> challenges = new ConcurrentHashMap<>();

    RegistryAuth(Function<String, Optional<Credentials>> credentials, Transport transport) {
        this.credentials = credentials;
        this.transport = transport;
    }

    /** How an error says which credentials were tried. */
    String credentialHint(String host) {
        return credentials.apply(host).isPresent() ? " with the configured credentials" : " (no credentials configured)";
    }

    /** The Authorization header for {@code scope} on {@code host}, once a challenge was answered. */
    Optional<String> authorization(String host, String scope) {
        AuthChallenge c = challenges.get(host);
        if (c == null) {
            return Optional.empty();
        }
        if (c.scheme().equals("basic")) {
            return credentials.apply(host).map(Credentials::basic);
        }
        return Optional.ofNullable(tokens.get(host + " " + scope)).map(t -> "Bearer " + t);
    }

    /** Handles a 401's challenge; true if a retry may now succeed. */
    boolean authenticate(String host, String scope, HttpResponse<InputStream> r) throws IOException {
        for (String header : r.headers().allValues("WWW-Authenticate")) {
            for (AuthChallenge c : AuthChallenge.parse(header)) {
                if (c.scheme().equals("bearer") && c.params().containsKey("realm")) {
                    tokens.put(host + " " + scope, fetchToken(host, c, scope));
                    challenges.put(host, c);
                    return true;
                }
                if (c.scheme().equals("basic") && credentials.apply(host).isPresent()) {
                    challenges.put(host, c);
                    return true;
                }
            }
        }
        return false;
    }

    private String fetchToken(String host, AuthChallenge c, String scope) throws IOException {
        String realm = c.params().get("realm");
        var q = new StringBuilder();
        if (c.params().containsKey("service")) {
            q.append("service=").append(URLEncoder.encode(c.params().get("service"), StandardCharsets.UTF_8));
        }
        String wantScope = c.params().getOrDefault("scope", scope);
        q.append(q.isEmpty() ? "" : "&").append("scope=").append(URLEncoder.encode(wantScope, StandardCharsets.UTF_8));
        URI uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + q);
        HttpResponse<InputStream> r = transport.exchange(uri, "GET", Map.of(), credentials.apply(host).map(Credentials::basic));
        if (r.statusCode() != 200) {
            String body = RegistryClient.errorBody(r);
            throw new FailedPreconditionException("unauthorized by " + host + ": its token service " + realm
                    + " refused a token for " + wantScope + " (" + r.statusCode() + ")" + credentialHint(host) + body);
        }
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(1 << 20);
        }
        JsonObject o = JsonObject.of("token response from " + realm, Json.parse(body));
        return o.optString("token").or(() -> o.optString("access_token")).filter(t -> !t.isEmpty())
                .orElseThrow(() -> new InvalidArgumentException("token response from " + realm + " has no token"));
    }
}
