package io.strata.testkit;

import static io.strata.testkit.ImageLayout.quote;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The token server of docker-registry's {@code auth: token} scheme (the Docker token protocol), on
 * 127.0.0.1 at a free port. {@code GET /token?service=…&scope=…} with the right basic credentials
 * answers a JWT granting every scope asked; anything else is 401.
 *
 * <p>The token is what distribution 2.8 verifies: RS256, the signing certificate in the header's
 * {@code x5c} (it must chain to the registry's {@code rootcertbundle}, here the self-signed
 * certificate itself), {@code iss} the configured issuer, {@code aud} the service, {@code nbf} and
 * {@code exp} around now, and {@code access} a list of {@code {type, name, actions}}. The key and
 * certificate are made by the JDK's {@code keytool}, so no other tool is needed.
 */
public final class TokenServer implements AutoCloseable {
    private static final String PASS = "strata-test";

    private final HttpServer server;
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final Path rootCertBundle;
    private final String issuer;
    private final String user;
    private final String password;
    private final List<String> queries = new CopyOnWriteArrayList<>();

    private TokenServer(HttpServer server, PrivateKey key, X509Certificate certificate, Path rootCertBundle,
                        String issuer, String user, String password) {
        this.server = server;
        this.key = key;
        this.certificate = certificate;
        this.rootCertBundle = rootCertBundle;
        this.issuer = issuer;
        this.user = user;
        this.password = password;
    }

    /** Makes a key and certificate under {@code dir} and starts serving tokens to {@code user}. */
    public static TokenServer start(Path dir, String issuer, String user, String password) throws IOException {
        Files.createDirectories(dir);
        Path store = dir.resolve("token-signer.p12");
        Files.deleteIfExists(store);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        // Valid from yesterday: the registry checks the certificate's dates against its own clock.
        OciArchive.run(dir, keytool.toString(), "-genkeypair", "-alias", "signer", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=strata test token signer", "-startdate", "-1d", "-validity", "7", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", PASS, "-keypass", PASS);
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASS.toCharArray());
            PrivateKey key = (PrivateKey) ks.getKey("signer", PASS.toCharArray());
            X509Certificate cert = (X509Certificate) ks.getCertificate("signer");
            Path bundle = dir.resolve("token-root.pem");
            Files.writeString(bundle, "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            TokenServer ts = new TokenServer(http, key, cert, bundle, issuer, user, password);
            http.createContext("/token", ts::token);
            http.start();
            return ts;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the token signer made by keytool", e);
        }
    }

    /** {@code http://127.0.0.1:<port>/token}, the registry's {@code realm}. */
    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The PEM file with the signing certificate: the registry's {@code rootcertbundle}. */
    public Path rootCertBundle() {
        return rootCertBundle;
    }

    public String issuer() {
        return issuer;
    }

    /** The query strings of the token requests so far, accepted or not. */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    private void token(HttpExchange ex) throws IOException {
        String query = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
        queries.add(query);
        String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        if (!basic.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
            return;
        }
        String service = "";
        List<String> access = new ArrayList<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = pair.substring(0, eq);
            String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (name.equals("service")) {
                service = value;
            } else if (name.equals("scope")) {
                for (String scope : value.split(" ")) {
                    access.add(access(scope));
                }
            }
        }
        long now = System.currentTimeMillis() / 1000;
        String claims = "{\"iss\":" + quote(issuer) + ",\"sub\":" + quote(user) + ",\"aud\":" + quote(service)
                + ",\"exp\":" + (now + 300) + ",\"nbf\":" + (now - 10) + ",\"iat\":" + now + ",\"jti\":"
                + quote(UUID.randomUUID().toString()) + ",\"access\":[" + String.join(",", access) + "]}";
        String token = sign(claims);
        send(ex, 200, "{\"token\":" + quote(token) + ",\"access_token\":" + quote(token) + ",\"expires_in\":300}");
    }

    /** {@code repository:strata/app:pull,push} → {@code {"type":"repository","name":"strata/app","actions":[…]}}. */
    private static String access(String scope) {
        int first = scope.indexOf(':');
        int last = scope.lastIndexOf(':');
        if (first < 0 || last == first) {
            return "{\"type\":" + quote(scope) + ",\"name\":\"\",\"actions\":[]}";
        }
        List<String> actions = List.of(scope.substring(last + 1).split(","));
        return "{\"type\":" + quote(scope.substring(0, first)) + ",\"name\":" + quote(scope.substring(first + 1, last))
                + ",\"actions\":[" + String.join(",", actions.stream().map(ImageLayout::quote).toList()) + "]}";
    }

    private String sign(String claims) throws IOException {
        try {
            Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
            String header = "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"x5c\":["
                    + quote(Base64.getEncoder().encodeToString(certificate.getEncoded())) + "]}";
            String signingInput = url.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                    + url.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(key);
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + url.encodeToString(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot sign a token", e);
        }
    }

    private static void send(HttpExchange ex, int code, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(code, body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
