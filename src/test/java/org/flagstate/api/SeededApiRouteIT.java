package org.flagstate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.flagstate.testsupport.RouteTestServer.HELLO;
import static org.flagstate.testsupport.RouteTestServer.MULTI;
import static org.flagstate.testsupport.RouteTestServer.MULTI_ARM64;
import static org.flagstate.testsupport.RouteTestServer.compact;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.flagstate.testsupport.RouteTestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /api/v1/} of the real public listener over a seeded database: the repository listing with
 * its cursor paging and Link header, one repository, a digest's holders, and 400s naming the
 * parameter.
 */
@ExtendWith(VertxExtension.class)
class SeededApiRouteIT {

  static RouteTestServer server;
  static WebClient client;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext context) {
    server = RouteTestServer.prepare(RouteTestServer.STANDARD_SEED);
    client = WebClient.create(vertx);
    server.deploy(vertx).onComplete(context.succeedingThenComplete());
  }

  static Future<HttpResponse<Buffer>> get(String uri, String... headers) {
    return server.request(client, HttpMethod.GET, uri, headers);
  }

  /** The cursor docs/api.md describes, worked out independently of {@link Cursor}. */
  static String cursorAfter(String name) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("1:" + name).getBytes(StandardCharsets.UTF_8));
  }

  static final String DOCKER_PLAIN =
      """
      {"name": "docker/plain", "description": "Greets you with hello", "tagCount": 1, "lastUpdated": "2026-01-01T00:00:03.000Z"}""";
  static final String FLATPAK_HELLO =
      """
      {"name": "flatpak/hello", "title": "Hello", "description": "Says hello", "tagCount": 3,
       "lastUpdated": "2026-01-01T00:00:05.500Z"}""";
  static final String MULTI_OCI =
      """
      {"name": "multi/oci", "description": "A multi-arch app", "tagCount": 2,
       "lastUpdated": "2026-01-01T00:00:04.250Z"}""";

  @Test
  void listsTheRepositoriesThatHaveTags(VertxTestContext context) {
    get("/api/v1/repositories")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          assertThat(response.getHeader("Content-Type"))
                              .isEqualTo("application/json");
                          assertThat(response.getHeader("Cache-Control")).isEqualTo("no-cache");
                          assertThat(response.getHeader("Link")).isNull();
                          assertThat(response.bodyAsString())
                              .isEqualTo(
                                  compact(
                                      "{\"repositories\": ["
                                          + DOCKER_PLAIN
                                          + ", "
                                          + FLATPAK_HELLO
                                          + ", "
                                          + MULTI_OCI
                                          + "], \"total\": 3, \"limit\": 50, \"next\": null}"));
                          context.completeNow();
                        })));
  }

  @Test
  void pagesByCursorWithALinkToTheNextPage(VertxTestContext context) {
    String cursor = cursorAfter("flatpak/hello");
    String link = "</api/v1/repositories?limit=2&cursor=" + cursor + ">; rel=\"next\"";
    get("/api/v1/repositories?limit=2")
        .compose(
            first -> {
              context.verify(
                  () -> {
                    assertThat(first.statusCode()).isEqualTo(200);
                    assertThat(first.getHeader("Link")).isEqualTo(link);
                    assertThat(first.bodyAsString())
                        .isEqualTo(
                            compact(
                                "{\"repositories\": ["
                                    + DOCKER_PLAIN
                                    + ", "
                                    + FLATPAK_HELLO
                                    + "], \"total\": 3, \"limit\": 2, \"next\": \""
                                    + cursor
                                    + "\"}"));
                  });
              return get("/api/v1/repositories?limit=2&cursor=" + cursor);
            })
        .compose(
            second -> {
              context.verify(
                  () -> {
                    assertThat(second.statusCode()).isEqualTo(200);
                    assertThat(second.getHeader("Link")).isNull();
                    assertThat(second.bodyAsString())
                        .isEqualTo(
                            compact(
                                "{\"repositories\": ["
                                    + MULTI_OCI
                                    + "], \"total\": 3, \"limit\": 2, \"next\": null}"));
                  });
              // the parameters in the other order are the same page
              return get("/api/v1/repositories?cursor=" + cursor + "&limit=2");
            })
        .onComplete(
            context.succeeding(
                reordered ->
                    context.verify(
                        () -> {
                          assertThat(
                                  reordered.bodyAsJsonObject().getJsonArray("repositories").size())
                              .isEqualTo(1);
                          assertThat(
                                  reordered
                                      .bodyAsJsonObject()
                                      .getJsonArray("repositories")
                                      .getJsonObject(0)
                                      .getString("name"))
                              .isEqualTo("multi/oci");
                          context.completeNow();
                        })));
  }

  @Test
  void aPageOfOneWalksEveryRepository(VertxTestContext context) {
    get("/api/v1/repositories?limit=1")
        .compose(
            first ->
                get(path(first.getHeader("Link")))
                    .map(
                        second -> {
                          context.verify(
                              () -> {
                                assertThat(
                                        first
                                            .bodyAsJsonObject()
                                            .getJsonArray("repositories")
                                            .getJsonObject(0)
                                            .getString("name"))
                                    .isEqualTo("docker/plain");
                                assertThat(
                                        second
                                            .bodyAsJsonObject()
                                            .getJsonArray("repositories")
                                            .getJsonObject(0)
                                            .getString("name"))
                                    .isEqualTo("flatpak/hello");
                                assertThat(second.bodyAsJsonObject().getString("next"))
                                    .isEqualTo(cursorAfter("flatpak/hello"));
                              });
                          return second;
                        }))
        .compose(second -> get(path(second.getHeader("Link"))))
        .onComplete(
            context.succeeding(
                third ->
                    context.verify(
                        () -> {
                          assertThat(
                                  third
                                      .bodyAsJsonObject()
                                      .getJsonArray("repositories")
                                      .getJsonObject(0)
                                      .getString("name"))
                              .isEqualTo("multi/oci");
                          assertThat(third.bodyAsJsonObject().getValue("next")).isNull();
                          assertThat(third.getHeader("Link")).isNull();
                          context.completeNow();
                        })));
  }

  static String path(String link) {
    assertThat(link).matches("<[^>]+>; rel=\"next\"");
    return link.substring(1, link.indexOf('>'));
  }

  @Test
  void answers304WithTheSameLink(VertxTestContext context) {
    get("/api/v1/repositories?limit=2")
        .compose(
            first ->
                get("/api/v1/repositories?limit=2", "If-None-Match", first.getHeader("ETag"))
                    .map(
                        second -> {
                          context.verify(
                              () -> {
                                assertThat(second.statusCode()).isEqualTo(304);
                                assertThat(second.getHeader("ETag"))
                                    .isEqualTo(first.getHeader("ETag"));
                                assertThat(second.getHeader("Link"))
                                    .isEqualTo(first.getHeader("Link"))
                                    .isNotNull();
                                assertThat(second.getHeader("Cache-Control")).isEqualTo("no-cache");
                              });
                          return second;
                        }))
        .onComplete(context.succeedingThenComplete());
  }

  @Test
  void refusesAnOutOfRangeLimitWithTheDocumentedError(VertxTestContext context) {
    get("/api/v1/repositories?limit=0")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(400);
                          assertThat(response.getHeader("Content-Type"))
                              .isEqualTo("application/json");
                          assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
                          assertThat(response.bodyAsJsonObject())
                              .isEqualTo(
                                  new JsonObject()
                                      .put(
                                          "error",
                                          new JsonObject()
                                              .put("code", "INVALID_PARAMETER")
                                              .put(
                                                  "message",
                                                  "parameter 'limit' must be from 1 to 100")
                                              .put("parameter", "limit")));
                          context.completeNow();
                        })));
  }

  @Test
  void namesTheRefusedParameter(VertxTestContext context) {
    List<String[]> cases =
        List.of(
            new String[] {"limit=101", "limit"},
            new String[] {"limit=ten", "limit"},
            new String[] {"limit=1&limit=2", "limit"},
            new String[] {"cursor=bm90IGEgY3Vyc29y", "cursor"},
            new String[] {"cursor=" + cursorAfter("x") + "=", "cursor"},
            new String[] {"sort=name", "sort"},
            new String[] {"limit=%zz", "limit"},
            new String[] {"limit", "limit"});
    Future<Void> checks = Future.succeededFuture();
    for (String[] c : cases) {
      checks =
          checks
              .compose(v -> get("/api/v1/repositories?" + c[0]))
              .map(
                  response -> {
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).as(c[0]).isEqualTo(400);
                          JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
                          assertThat(error.getString("code"))
                              .as(c[0])
                              .isEqualTo("INVALID_PARAMETER");
                          assertThat(error.getString("parameter")).as(c[0]).isEqualTo(c[1]);
                        });
                    return null;
                  });
    }
    checks.onComplete(context.succeedingThenComplete());
  }

  @Test
  void showsOneRepositoryWithItsTags(VertxTestContext context) {
    get("/api/v1/repositories/flatpak/hello")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          JsonObject body = response.bodyAsJsonObject();
                          assertThat(body.getString("name")).isEqualTo("flatpak/hello");
                          assertThat(body.getString("title")).isEqualTo("Hello");
                          assertThat(body.getInteger("tagCount")).isEqualTo(3);
                          JsonArray tags = body.getJsonArray("tags");
                          assertThat(
                                  tags.stream()
                                      .map(t -> ((JsonObject) t).getString("name"))
                                      .toList())
                              .containsExactly("arm", "latest", "v1");
                          JsonObject latest = tags.getJsonObject(1);
                          assertThat(latest.getString("updatedAt"))
                              .isEqualTo("2026-01-01T00:00:01.000Z");
                          assertThat(latest.getString("digest")).isEqualTo(HELLO);
                          assertThat(latest.getString("mediaType")).isEqualTo(RouteTestServer.OCI);
                          assertThat(latest.getString("kind")).isEqualTo("image");
                          assertThat(latest.getJsonObject("platform"))
                              .isEqualTo(
                                  new JsonObject().put("os", "linux").put("architecture", "amd64"));
                          assertThat(latest.getJsonArray("architectures"))
                              .isEqualTo(new JsonArray().add("amd64"));
                          assertThat(latest.getString("created")).isEqualTo("2025-12-31T00:00:00Z");
                          assertThat(latest.getJsonObject("size"))
                              .isEqualTo(
                                  new JsonObject()
                                      .put("manifest", 500)
                                      .put("config", 100)
                                      .put("layers", 1000)
                                      .put("total", 1600));
                          assertThat(latest.getJsonObject("annotations"))
                              .isEqualTo(
                                  new JsonObject()
                                      .put("org.opencontainers.image.description", "Says hello"));
                          JsonObject arm = tags.getJsonObject(0);
                          assertThat(arm.getJsonObject("platform"))
                              .isEqualTo(
                                  new JsonObject()
                                      .put("os", "linux")
                                      .put("architecture", "arm64")
                                      .put("variant", "v8"));
                          assertThat(arm.getJsonObject("size"))
                              .isEqualTo(new JsonObject().put("manifest", 501));
                          context.completeNow();
                        })));
  }

  @Test
  void aRepositoryWithoutTagsIsNotFound(VertxTestContext context) {
    get("/api/v1/repositories/empty/repo")
        .compose(
            response -> {
              context.verify(
                  () -> {
                    assertThat(response.statusCode()).isEqualTo(404);
                    assertThat(response.bodyAsJsonObject())
                        .isEqualTo(
                            new JsonObject()
                                .put(
                                    "error",
                                    new JsonObject()
                                        .put("code", "NOT_FOUND")
                                        .put(
                                            "message", "no repository 'empty/repo' in the index")));
                  });
              return get("/api/v1/repositories/Not/A/Name");
            })
        .onComplete(
            context.succeeding(
                invalid ->
                    context.verify(
                        () -> {
                          assertThat(invalid.statusCode()).isEqualTo(400);
                          assertThat(
                                  invalid
                                      .bodyAsJsonObject()
                                      .getJsonObject("error")
                                      .getString("parameter"))
                              .isEqualTo("name");
                          context.completeNow();
                        })));
  }

  @Test
  void findsTheListsThatHoldADigest(VertxTestContext context) {
    get("/api/v1/digests/" + MULTI_ARM64)
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          JsonObject body = response.bodyAsJsonObject();
                          assertThat(body.getString("digest")).isEqualTo(MULTI_ARM64);
                          assertThat(body.getJsonArray("repositories"))
                              .isEqualTo(
                                  new JsonArray()
                                      .add(
                                          new JsonObject()
                                              .put("name", "multi/oci")
                                              .put("tags", new JsonArray())
                                              .put(
                                                  "lists",
                                                  new JsonArray()
                                                      .add(
                                                          new JsonObject()
                                                              .put("digest", MULTI)
                                                              .put(
                                                                  "mediaType",
                                                                  RouteTestServer.OCI_INDEX)
                                                              .put(
                                                                  "tags",
                                                                  new JsonArray()
                                                                      .add("1.0")
                                                                      .add("latest"))))));
                          context.completeNow();
                        })));
  }

  @Test
  void searchFiltersByArchitectureThroughListMembers(VertxTestContext context) {
    get("/api/v1/search?architecture=arm64")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          JsonObject body = response.bodyAsJsonObject();
                          assertThat(
                                  body.getJsonArray("repositories").stream()
                                      .map(r -> ((JsonObject) r).getString("name"))
                                      .toList())
                              .containsExactly("flatpak/hello", "multi/oci");
                          assertThat(body.getLong("total")).isEqualTo(2L);
                          assertThat(body.getJsonObject("query"))
                              .isEqualTo(
                                  new JsonObject()
                                      .put("architecture", new JsonArray().add("arm64"))
                                      .put("os", new JsonArray())
                                      .put("label", new JsonArray())
                                      .put("mediaType", new JsonArray())
                                      .put("kind", new JsonArray())
                                      .put("namespace", new JsonArray()));
                          context.completeNow();
                        })));
  }
}
