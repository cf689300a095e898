package io.strata.content.registry;

import io.strata.api.InvalidArgumentException;
import io.strata.oci.json.Json;
import io.strata.oci.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A user name and secret for one registry host. {@link #toString()} hides the secret.
 *
 * @param user   the user name
 * @param secret the password or token
 */
public record Credentials(String user, String secret) {
    public Credentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(secret, "secret");
    }

    /** The {@code Authorization: Basic …} value. */
    String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[user=" + user + ", secret=***]";
    }

    /** No credentials for any host. */
    public static Function<String, Optional<Credentials>> none() {
        return host -> Optional.empty();
    }

    /**
     * Reads {@code auths.<host>.auth} (base64 {@code user:password}) from a Docker
     * {@code config.json}; Docker Hub's entry is keyed {@code https://index.docker.io/v1/}.
     * Credential helpers ({@code credsStore}) are not supported. A missing file means no credentials.
     *
     * @return a lookup by registry host ({@code docker.io}, {@code host:port})
     * @throws InvalidArgumentException if the file is not valid JSON or an entry is malformed
     */
    public static Function<String, Optional<Credentials>> dockerConfig(Path configJson) throws IOException {
        if (!Files.exists(configJson)) {
            return none();
        }
        JsonObject o = JsonObject.of(configJson.toString(), Json.parse(Files.readAllBytes(configJson)));
        Map<String, Credentials> byHost = new java.util.HashMap<>();
        o.optObject("auths").ifPresent(auths -> auths.map().forEach((key, v) -> {
            Optional<String> auth = JsonObject.of(configJson + " auths." + key, v).optString("auth");
            if (auth.isEmpty() || auth.get().isEmpty()) {
                return;
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.get()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new InvalidArgumentException(configJson + ": auths." + key + ".auth is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new InvalidArgumentException(configJson + ": auths." + key + ".auth is not user:password");
            }
            byHost.put(hostOf(key), new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
        }));
        return host -> Optional.ofNullable(byHost.get(host));
    }

    /** {@code ~/.docker/config.json}, or {@code $DOCKER_CONFIG/config.json}. */
    public static Function<String, Optional<Credentials>> dockerConfig() throws IOException {
        String dir = System.getenv("DOCKER_CONFIG");
        Path p = dir != null ? Path.of(dir, "config.json") : Path.of(System.getProperty("user.home"), ".docker", "config.json");
        return dockerConfig(p);
    }

    private static String hostOf(String key) {
        String k = key.replaceFirst("^https?://", "");
        int slash = k.indexOf('/');
        if (slash >= 0) {
            k = k.substring(0, slash);
        }
        return k.equals("index.docker.io") || k.equals("registry-1.docker.io") ? "docker.io" : k;
    }
}
