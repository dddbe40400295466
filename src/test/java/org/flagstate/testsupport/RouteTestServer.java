package org.flagstate.testsupport;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.flagstate.MainVerticle;
import org.flagstate.config.ConfigLoader;
import org.flagstate.config.FlagstateConfig;
import org.flagstate.config.Setting;
import org.flagstate.db.DatabaseServer;
import org.flagstate.db.Migrations;
import org.flagstate.http.NodeResources;
import org.flagstate.http.PublicHttpVerticle;
import org.flagstate.ops.Observability;

/**
 * The public listener alone, as MainVerticle wires it (every route group, in its order), over a
 * fresh database with the schema applied and rows seeded by plain SQL: no registry, no crawler. For
 * route tests that need exact, known data.
 */
public final class RouteTestServer {

  /**
   * What {@code registry.public_url} is set to, so index responses carry it as {@code Registry}.
   */
  public static final String PUBLIC_URL = "https://registry.example.org/";

  public static final String OCI = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String DOCKER = "application/vnd.docker.distribution.manifest.v2+json";

  /** flatpak/hello:latest and :v1, an amd64 Flatpak app image with title and description. */
  public static final String HELLO = digest('1');

  /** flatpak/hello:arm, its arm64 build. */
  public static final String HELLO_ARM = digest('2');

  /** docker/plain:latest, a Docker image without labels. */
  public static final String PLAIN = digest('3');

  /** multi/oci:latest and :1.0, an OCI index of {@link #MULTI_AMD64} and {@link #MULTI_ARM64}. */
  public static final String MULTI = digest('4');

  /** The amd64 member, with a non-string label value (which the index leaves out). */
  public static final String MULTI_AMD64 = digest('5');

  /** The arm64 member, whose config names no platform: the index takes the list's. */
  public static final String MULTI_ARM64 = digest('6');

  /** Every manifest of the standard seed a tag can point at: plain images, Flatpak apps, lists. */
  public static final List<String> STANDARD_DIGESTS =
      List.of(HELLO, HELLO_ARM, PLAIN, MULTI, MULTI_AMD64, MULTI_ARM64);

  /** Every repository row (some without tags), in bytewise order. */
  public static final List<String> REPOSITORIES =
      List.of(
          "docker/plain",
          "empty/repo",
          "flatpak/hello",
          "hello-world",
          "multi/oci",
          "sort/a-b",
          "sort/a.b",
          "sort/a/b",
          "sort/a_b",
          "sort/ab",
          "tools/othello");

  /**
   * The standard index: three repositories with tags (flatpak/hello, multi/oci, docker/plain), and
   * tagless ones for the catalog and search (names that sort differently bytewise than in a locale
   * collation).
   */
  public static final List<String> STANDARD_SEED =
      List.of(
          "insert into repository (name) values ('sort/ab'), ('sort/a_b'), ('sort/a/b'), ('sort/a.b'), ('sort/a-b'),"
              + " ('tools/othello'), ('hello-world'), ('empty/repo'), ('multi/oci')",
          "insert into repository (name, title, description) values ('flatpak/hello', 'Hello', 'Says hello')",
          // what the crawler stores for a list: the text of its first member that has some
          "update repository set description = 'A multi-arch app' where name = 'multi/oci'",
          "insert into repository (name, description, search_document) values ('docker/plain', 'Greets you with hello',"
              + " to_tsvector('simple', 'Greets you with hello'))",
          "insert into manifest (digest, media_type, is_list, size, config_digest, os, architecture, variant, created,"
              + " labels, annotations) values"
              + " ('"
              + HELLO
              + "', '"
              + OCI
              + "', false, 500, '"
              + digest('a')
              + "', 'linux', 'amd64', null,"
              + " '2025-12-31T00:00:00Z', '{\"org.flatpak.ref\": \"app/org.test.Hello/x86_64/master\","
              + " \"org.opencontainers.image.title\": \"Hello\"}',"
              + " '{\"org.opencontainers.image.description\": \"Says hello\"}'),"
              + " ('"
              + HELLO_ARM
              + "', '"
              + OCI
              + "', false, 501, '"
              + digest('b')
              + "', 'linux', 'arm64', 'v8', null,"
              + " '{\"org.flatpak.ref\": \"app/org.test.Hello/aarch64/master\"}', '{}'),"
              + " ('"
              + PLAIN
              + "', '"
              + DOCKER
              + "', false, 502, '"
              + digest('c')
              + "', 'linux', 'amd64', null, null,"
              + " '{}', '{}'),"
              + " ('"
              + MULTI
              + "', '"
              + OCI_INDEX
              + "', true, 300, null, null, null, null, null, '{}', '{}'),"
              + " ('"
              + MULTI_AMD64
              + "', '"
              + OCI
              + "', false, 503, '"
              + digest('d')
              + "', 'linux', 'amd64', null, null,"
              + " '{\"org.flatpak.ref\": \"app/org.test.Multi/x86_64/master\","
              + " \"org.opencontainers.image.description\": \"A multi-arch app\", \"org.example.count\": 5}', '{}'),"
              + " ('"
              + MULTI_ARM64
              + "', '"
              + OCI
              + "', false, 504, '"
              + digest('e')
              + "', null, null, null, null,"
              + " '{\"org.flatpak.ref\": \"app/org.test.Multi/aarch64/master\"}', '{}')",
          "update manifest set config_size = 100, layers_size = 1000 where digest = '"
              + HELLO
              + "'",
          "insert into list_member (list_digest, position, member_digest, platform_os, platform_architecture,"
              + " platform_variant) values ('"
              + MULTI
              + "', 0, '"
              + MULTI_AMD64
              + "', 'linux', 'amd64', null),"
              + " ('"
              + MULTI
              + "', 1, '"
              + MULTI_ARM64
              + "', 'linux', 'arm64', 'v8')",
          tag("flatpak/hello", "latest", HELLO, "2026-01-01T00:00:01Z"),
          tag("flatpak/hello", "v1", HELLO, "2026-01-01T00:00:02Z"),
          tag("flatpak/hello", "arm", HELLO_ARM, "2026-01-01T00:00:05.5Z"),
          tag("docker/plain", "latest", PLAIN, "2026-01-01T00:00:03Z"),
          tag("multi/oci", "latest", MULTI, "2026-01-01T00:00:04Z"),
          tag("multi/oci", "1.0", MULTI, "2026-01-01T00:00:04.25Z"));

  public static String digest(char hex) {
    return "sha256:" + String.valueOf(hex).repeat(64);
  }

  /**
   * An insert of tag {@code name} of {@code repository} (which must exist), moved at {@code
   * updatedAt}.
   */
  public static String tag(String repository, String name, String digest, String updatedAt) {
    return "insert into tag (repository_id, name, digest, updated_at) select id, '"
        + name
        + "', '"
        + digest
        + "', '"
        + updatedAt
        + "' from repository where name = '"
        + repository
        + "'";
  }

  private final FlagstateConfig config;
  private final PgConnectOptions connectOptions;

  private RouteTestServer(FlagstateConfig config, PgConnectOptions connectOptions) {
    this.config = config;
    this.connectOptions = connectOptions;
  }

  /**
   * Blocks (JDBC): creates a database, applies the schema and runs {@code seed}, one statement per
   * element, in one transaction.
   */
  public static RouteTestServer prepare(List<String> seed) {
    String databaseUrl = TestDatabase.createDatabase();
    Map<String, String> env = new HashMap<>();
    env.put(setting("http.host"), "127.0.0.1");
    env.put(setting("http.port"), Integer.toString(FlagstateInstance.freePort()));
    env.put(setting("database.url"), databaseUrl);
    env.put(setting("database.pool_size"), "4");
    env.put(setting("registry.url"), "http://127.0.0.1:9");
    env.put(setting("registry.public_url"), PUBLIC_URL);
    FlagstateConfig config = new ConfigLoader(env, new Properties()).resolve(null);
    // by URL, so close() leaves the server running; its options carry the session settings
    // MainVerticle uses
    DatabaseServer server = DatabaseServer.start(config.database());
    Migrations.apply(server, config.ui().cockpitLabel());
    server.close();
    try (Connection connection = TestDatabase.connect(databaseUrl)) {
      connection.setAutoCommit(false);
      for (String statement : seed) {
        connection.createStatement().execute(statement);
      }
      connection.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("seeding failed: " + e.getMessage(), e);
    }
    return new RouteTestServer(config, server.connectOptions());
  }

  private static String setting(String key) {
    return Setting.ALL.stream()
        .filter(s -> s.key().equals(key))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no such setting " + key))
        .environmentVariable();
  }

  /** Deploys the public listener on {@code vertx}; succeeds once it listens. */
  public Future<String> deploy(Vertx vertx) {
    Observability observability = new Observability();
    NodeResources node = NodeResources.create(vertx, config, observability.registry());
    var features = MainVerticle.publicFeatures(observability);
    return vertx.deployVerticle(
        () -> new PublicHttpVerticle(config, connectOptions, node, features),
        new DeploymentOptions().setInstances(2));
  }

  public int port() {
    return config.http().port();
  }

  /** Sends {@code method uri} to this listener with the given header name/value pairs. */
  public Future<HttpResponse<Buffer>> request(
      WebClient client, HttpMethod method, String uri, String... headers) {
    HttpRequest<Buffer> request = client.request(method, port(), "127.0.0.1", uri);
    for (int i = 0; i < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return request.send();
  }

  /** An expected body: {@code json} in the order written, compact, as the renderers write it. */
  public static String compact(String json) {
    return new JsonObject(json).encode();
  }

  public FlagstateConfig config() {
    return config;
  }
}
