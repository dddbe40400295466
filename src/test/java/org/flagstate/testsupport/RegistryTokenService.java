package org.flagstate.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * A minimal token service for a registry started with {@link RegistryProcess.Builder#tokenAuth},
 * standing in for the auth service (Harbor's, docker_auth, ...) a real deployment puts next to
 * docker/distribution, which issues no tokens itself. {@code GET /token?service=&scope=} checks
 * HTTP Basic credentials (one user, answers 401 otherwise) and returns {@code {"token",
 * "access_token", "expires_in", "issued_at"}} holding an RS256 JWT that grants exactly the
 * requested scopes ({@code pull} on repositories, anything on {@code registry:catalog:*}).
 *
 * <p>The JWT is made to pass distribution 2.8's checks (registry/auth/token/token.go): {@code iss}
 * equal to the configured issuer, {@code aud} (a string) equal to the service, {@code exp}/{@code
 * nbf} around now (60 s leeway), a non-empty signature, and a signing key found through the
 * header's {@code x5c}: the base64 (standard, not URL) DER certificate chain, leaf first, that must
 * verify against the {@code rootcertbundle}. The key pair and the self-signed certificate (which is
 * also the root bundle) come from the {@code openssl} command line.
 */
public final class RegistryTokenService implements AutoCloseable {

  public static final String SERVICE = "flagstate-test-registry";
  public static final String ISSUER = "flagstate-test-token-issuer";
  private static final Duration LIFETIME = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  /**
   * One request the service answered: who asked (the Basic user, or null), for what, and the status
   * it gave.
   */
  public record TokenRequest(String user, String service, List<String> scopes, int status) {}

  private final Path dir;
  private final Path certificate;
  private final PrivateKey key;
  private final String x5c;
  private final String user;
  private final String password;
  private final HttpServer server;
  private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();

  private RegistryTokenService(String user, String password)
      throws IOException, GeneralSecurityException {
    this.user = user;
    this.password = password;
    this.dir = Files.createTempDirectory("flagstate-token-service-");
    Path keyFile = dir.resolve("signing-key.pem");
    this.certificate = dir.resolve("signing-cert.pem");
    Commands.runOrFail(
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-sha256",
            "-days",
            "2",
            "-subj",
            "/CN=" + ISSUER,
            "-keyout",
            keyFile.toString(),
            "-out",
            certificate.toString()),
        java.util.Map.of(),
        Duration.ofSeconds(60));
    X509Certificate cert =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certificate)));
    this.x5c = Base64.getEncoder().encodeToString(cert.getEncoded());
    // OpenSSL 3 writes the key as unencrypted PKCS#8 ("BEGIN PRIVATE KEY"), which Java reads as it
    // is.
    String pem =
        Files.readString(keyFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    this.key =
        KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/token", this::handle);
    server.start();
  }

  /**
   * Generates the signing key and certificate and starts serving tokens to {@code user} / {@code
   * password}.
   */
  public static RegistryTokenService start(String user, String password) {
    try {
      return new RegistryTokenService(user, password);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the openssl-generated signing key", e);
    }
  }

  /** Configures {@code builder} to trust this service. */
  public RegistryProcess.Builder configure(RegistryProcess.Builder builder) {
    return builder.tokenAuth(realmUrl(), SERVICE, ISSUER, certificate);
  }

  public String realmUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  /** The PEM certificate of the signing key: the registry's {@code rootcertbundle}. */
  public Path rootCertBundle() {
    return certificate;
  }

  /** Every token request so far, in order. */
  public List<TokenRequest> requests() {
    return List.copyOf(requests);
  }

  /** Every scope asked for by a request that got a token. */
  public List<String> grantedScopes() {
    return requests.stream()
        .filter(r -> r.status() == 200)
        .flatMap(r -> r.scopes().stream())
        .toList();
  }

  /**
   * A signed token granting {@code actions} (for example {@code "pull", "push"}) on {@code
   * repository}, for test clients such as {@link RegistryPusher} that send one fixed Authorization
   * header.
   */
  public String mint(String repository, String... actions) {
    ArrayNode access = JSON.createArrayNode();
    ObjectNode entry = access.addObject().put("type", "repository").put("name", repository);
    ArrayNode granted = entry.putArray("actions");
    for (String action : actions) {
      granted.add(action);
    }
    return sign(user, access);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String service = null;
      List<String> scopes = new ArrayList<>();
      String query = exchange.getRequestURI().getRawQuery();
      if (query != null) {
        for (String pair : query.split("&")) {
          int eq = pair.indexOf('=');
          String name =
              URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
          String value =
              eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
          if (name.equals("service")) {
            service = value;
          } else if (name.equals("scope")) {
            scopes.addAll(List.of(value.split(" ")));
          }
        }
      }
      String caller = basicUser(exchange.getRequestHeaders().getFirst("Authorization"));
      if (caller == null || !SERVICE.equals(service)) {
        int status = caller == null ? 401 : 400;
        requests.add(new TokenRequest(null, service, scopes, status));
        exchange
            .getResponseHeaders()
            .add("WWW-Authenticate", "Basic realm=\"flagstate-test-token-service\"");
        byte[] body =
            "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials or service\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        return;
      }
      requests.add(new TokenRequest(caller, service, scopes, 200));
      ArrayNode access = JSON.createArrayNode();
      for (String scope : scopes) {
        // type:name:actions, where a repository name never holds a ':' but may hold '/'
        String[] parts = scope.split(":");
        if (parts.length != 3) {
          continue;
        }
        ObjectNode entry = access.addObject().put("type", parts[0]).put("name", parts[1]);
        ArrayNode actions = entry.putArray("actions");
        if (parts[0].equals("registry") && parts[1].equals("catalog")) {
          actions.add("*");
        } else if (parts[0].equals("repository") && List.of(parts[2].split(",")).contains("pull")) {
          actions.add("pull");
        }
      }
      String token = sign(caller, access);
      ObjectNode response =
          JSON.createObjectNode()
              .put("token", token)
              .put("access_token", token)
              .put("expires_in", LIFETIME.toSeconds())
              .put("issued_at", Instant.now().toString());
      byte[] body = JSON.writeValueAsBytes(response);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  /** The user of a valid {@code Authorization: Basic} header, or null. */
  private String basicUser(String header) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String pair;
    try {
      pair =
          new String(
              Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return pair.equals(user + ":" + password) ? user : null;
  }

  private String sign(String subject, ArrayNode access) {
    long now = Instant.now().getEpochSecond();
    ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "RS256");
    header.putArray("x5c").add(x5c);
    ObjectNode claims =
        JSON.createObjectNode()
            .put("iss", ISSUER)
            .put("sub", subject)
            .put("aud", SERVICE)
            .put("exp", now + LIFETIME.toSeconds())
            .put("nbf", now - 1)
            .put("iat", now)
            .put("jti", UUID.randomUUID().toString());
    claims.set("access", access);
    try {
      String signingInput =
          BASE64URL.encodeToString(JSON.writeValueAsBytes(header))
              + "."
              + BASE64URL.encodeToString(JSON.writeValueAsBytes(claims));
      Signature rs256 = Signature.getInstance("SHA256withRSA");
      rs256.initSign(key);
      rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + BASE64URL.encodeToString(rs256.sign());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
  }

  /** Stops serving and deletes the key and certificate. */
  @Override
  public void close() {
    server.stop(0);
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
