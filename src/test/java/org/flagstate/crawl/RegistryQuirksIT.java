package org.flagstate.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.flagstate.http.QueryStrings;
import org.flagstate.testsupport.FlagstateEnvironment;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two things registries do that the Debian docker-registry (distribution 2.8.2) cannot be made to
 * show: paging a tag list with {@code Link} (distribution 3, Harbor and Quay page tags; 2.8.2
 * always answers the whole list) and serving a Docker schema1 manifest (2.8.2 refuses schema1
 * pushes). A relay in front of the real registry adds only those two; every manifest and blob the
 * crawler indexes comes from the registry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryQuirksIT {

  private static final String REPOSITORY = "quirks/app";
  private static final String SCHEMA1_TAG = "legacy";
  private static final String SCHEMA1_TYPE =
      "application/vnd.docker.distribution.manifest.v1+prettyjws";
  private static final byte[] SCHEMA1_BODY =
      """
      {"schemaVersion":1,"name":"quirks/app","tag":"legacy","architecture":"amd64",
       "fsLayers":[{"blobSum":"sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"}],
       "history":[{"v1Compatibility":"{\\"id\\":\\"e1\\",\\"architecture\\":\\"amd64\\",\\"os\\":\\"linux\\"}"}],
       "signatures":[]}"""
          .getBytes(StandardCharsets.UTF_8);
  private static final String SCHEMA1_DIGEST = RegistryPusher.sha256(SCHEMA1_BODY);
  private static final int TAG_PAGE = 2;

  @RegisterExtension
  static final FlagstateEnvironment ENVIRONMENT =
      FlagstateEnvironment.builder().seed(RegistryQuirksIT::push).build();

  RegistryProcess registry;
  FlagstateInstance flagstate;
  final HttpClient upstream = HttpClient.newHttpClient();
  final ConcurrentLinkedQueue<String> tagListRequests = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<String> schema1Requests = new ConcurrentLinkedQueue<>();

  /** Pushes the repositories and puts the relay between Flagstate and the registry. */
  void push(FlagstateEnvironment environment) throws IOException {
    registry = environment.registry();
    RegistryPusher pusher = environment.pusher();
    for (int i = 1; i <= 5; i++) {
      pusher.pushImage(
          REPOSITORY,
          "v" + i,
          ImageSpec.oci().withLabel("n", Integer.toString(i)).withSeed("quirk" + i));
    }
    pusher.pushImage("quirks/other", "latest", ImageSpec.oci().withSeed("other"));
    HttpServer relay =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService threads = Executors.newFixedThreadPool(8);
    relay.setExecutor(threads);
    relay.createContext("/", this::serve);
    relay.start();
    environment.closeAfterFlagstate(
        () -> {
          relay.stop(0);
          threads.shutdownNow();
        });
    environment.setting("registry.url", "http://127.0.0.1:" + relay.getAddress().getPort());
  }

  @BeforeAll
  void start(FlagstateInstance flagstate) {
    this.flagstate = flagstate;
  }

  @Test
  void everyPageOfAPagedTagListIsFollowed() {
    assertThat(tagListRequests.stream().filter(uri -> uri.startsWith("/v2/" + REPOSITORY + "/")))
        .as("pages of %s's 6 tags, %d a page", REPOSITORY, TAG_PAGE)
        .hasSize(3);
    assertThat(indexedTags(REPOSITORY)).containsExactlyInAnyOrder("v1", "v2", "v3", "v4", "v5");
  }

  @Test
  void aSchema1ManifestIsSkippedAndTheRestOfTheRepositoryIsIndexed() {
    assertThat(schema1Requests).as("the crawler asked for the schema1 manifest").isNotEmpty();
    assertThat(indexedTags(REPOSITORY)).doesNotContain(SCHEMA1_TAG).hasSize(5);
    assertThat(indexedTags("quirks/other")).containsExactly("latest");
    JsonObject sync = flagstate.status().getJsonObject("crawler").getJsonObject("sync");
    assertThat(sync.getInteger("manifestsSkipped")).isEqualTo(1);
    assertThat(sync.getInteger("repositoriesFailed")).isZero();
  }

  private Set<String> indexedTags(String repository) {
    JsonObject index =
        flagstate.getJson(
            "/index/dynamic?repository=" + URLEncoder.encode(repository, StandardCharsets.UTF_8));
    Set<String> tags = new TreeSet<>();
    for (Object result : index.getJsonArray("Results")) {
      for (Object image : ((JsonObject) result).getJsonArray("Images")) {
        ((JsonObject) image).getJsonArray("Tags").forEach(tag -> tags.add((String) tag));
      }
    }
    return tags;
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/v2/" + REPOSITORY + "/manifests/" + SCHEMA1_TAG)
          || path.equals("/v2/" + REPOSITORY + "/manifests/" + SCHEMA1_DIGEST)) {
        schema1Requests.add(exchange.getRequestMethod() + " " + path);
        exchange.getResponseHeaders().set("Content-Type", SCHEMA1_TYPE);
        exchange.getResponseHeaders().set("Docker-Content-Digest", SCHEMA1_DIGEST);
        send(exchange, 200, SCHEMA1_BODY);
      } else if (path.endsWith("/tags/list")) {
        tagListRequests.add(exchange.getRequestURI().toString());
        pageTags(exchange, path);
      } else {
        relay(exchange);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The registry's whole list, plus the schema1 tag, answered {@value #TAG_PAGE} at a time with a
   * next Link.
   */
  private void pageTags(HttpExchange exchange, String path)
      throws IOException, InterruptedException {
    HttpResponse<byte[]> whole =
        upstream.send(
            HttpRequest.newBuilder(URI.create(registry.baseUrl() + path)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (whole.statusCode() != 200) {
      send(exchange, whole.statusCode(), whole.body());
      return;
    }
    JsonObject list = new JsonObject(new String(whole.body(), StandardCharsets.UTF_8));
    TreeSet<String> tags = new TreeSet<>();
    list.getJsonArray("tags").forEach(tag -> tags.add((String) tag));
    if (path.equals("/v2/" + REPOSITORY + "/tags/list")) {
      tags.add(SCHEMA1_TAG);
    }
    String last =
        QueryStrings.parse(exchange.getRequestURI().getRawQuery(), 8, 2048).stream()
            .filter(term -> term.key().equals("last"))
            .map(QueryStrings.Term::value)
            .findFirst()
            .orElse(null);
    List<String> page = new ArrayList<>(last == null ? tags : tags.tailSet(last, false));
    boolean more = page.size() > TAG_PAGE;
    page = page.subList(0, Math.min(TAG_PAGE, page.size()));
    if (more) {
      exchange
          .getResponseHeaders()
          .set(
              "Link",
              "<"
                  + path
                  + "?n="
                  + TAG_PAGE
                  + "&last="
                  + URLEncoder.encode(page.get(page.size() - 1), StandardCharsets.UTF_8)
                  + ">; rel=\"next\"");
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    send(
        exchange,
        200,
        new JsonObject()
            .put("name", list.getString("name"))
            .put("tags", new JsonArray(page))
            .encode()
            .getBytes(StandardCharsets.UTF_8));
  }

  private void relay(HttpExchange exchange) throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(registry.baseUrl() + exchange.getRequestURI()))
            .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.noBody());
    exchange
        .getRequestHeaders()
        .getOrDefault("Accept", List.of())
        .forEach(value -> request.header("Accept", value));
    HttpResponse<byte[]> answer =
        upstream.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    for (String header : List.of("Content-Type", "Docker-Content-Digest", "Link")) {
      answer
          .headers()
          .firstValue(header)
          .ifPresent(value -> exchange.getResponseHeaders().set(header, value));
    }
    if (exchange.getRequestMethod().equals("HEAD")) {
      answer
          .headers()
          .firstValue("Content-Length")
          .ifPresent(value -> exchange.getResponseHeaders().set("Content-Length", value));
      exchange.sendResponseHeaders(answer.statusCode(), -1);
    } else {
      send(exchange, answer.statusCode(), answer.body());
    }
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
