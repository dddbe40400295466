package org.flagstate.search;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flagstate.testsupport.RouteTestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What podman and docker ask the search host, against the real public listener over a seeded
 * database: {@code /v2/_catalog} and {@code /v2/<name>/tags/list} with {@code n}/{@code last}
 * paging and the {@code Link} header, distribution's errors, and {@code /v1/search}.
 */
@ExtendWith(VertxExtension.class)
class SeededListingRouteIT {

  static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

  static RouteTestServer server;
  static WebClient client;

  /**
   * The standard index, with the repositories search looks at tagged too (search, like the index,
   * only answers with repositories that have tags) and the search text the crawler would store.
   */
  private static final List<String> SEED =
      Stream.concat(
              RouteTestServer.STANDARD_SEED.stream(),
              Stream.of(
                  "insert into tag (repository_id, name, digest) select id, 'latest', '"
                      + RouteTestServer.PLAIN
                      + "' from repository where name in ('hello-world', 'tools/othello', 'sort/ab', 'sort/a_b')",
                  "update repository set search_document = "
                      + RepositoryMatch.document("name", "title", "description")))
          .toList();

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext context) {
    server = RouteTestServer.prepare(SEED);
    client = WebClient.create(vertx);
    server.deploy(vertx).onComplete(context.succeedingThenComplete());
  }

  static Future<HttpResponse<Buffer>> request(HttpMethod method, String uri) {
    return server.request(client, method, uri);
  }

  static Future<HttpResponse<Buffer>> get(String uri) {
    return request(HttpMethod.GET, uri);
  }

  /** One page as received: the body, and the Link header (or null). */
  record Page(JsonObject body, String link) {}

  /** Every page from {@code uri} on, following {@code Link: <…>; rel="next"}. */
  static Future<List<Page>> allPages(String uri, List<Page> pages) {
    return get(uri)
        .compose(
            response -> {
              assertThat(response.statusCode()).as(uri).isEqualTo(200);
              String link = response.getHeader("Link");
              pages.add(new Page(response.bodyAsJsonObject(), link));
              if (link == null) {
                return Future.succeededFuture(pages);
              }
              Matcher next = NEXT.matcher(link);
              assertThat(next.matches()).as("Link header %s", link).isTrue();
              assertThat(pages).as("too many pages").hasSizeLessThan(50);
              return allPages(next.group(1), pages);
            });
  }

  static JsonObject distributionError(String code, String message, JsonObject detail) {
    return new JsonObject()
        .put(
            "errors",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("code", code)
                        .put("message", message)
                        .put("detail", detail)));
  }

  @Test
  void theCatalogListsEveryRepositoryBytewise(VertxTestContext context) {
    get("/v2/_catalog")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          assertThat(response.getHeader("Docker-Distribution-Api-Version"))
                              .isEqualTo("registry/2.0");
                          assertThat(response.getHeader("Content-Type"))
                              .isEqualTo("application/json");
                          assertThat(response.getHeader("Link")).isNull();
                          assertThat(response.bodyAsJsonObject())
                              .isEqualTo(
                                  new JsonObject()
                                      .put(
                                          "repositories",
                                          new JsonArray(RouteTestServer.REPOSITORIES)));
                          context.completeNow();
                        })));
  }

  @Test
  void theCatalogPagesWithNAndLastAndLinks(VertxTestContext context) {
    allPages("/v2/_catalog?n=3", new ArrayList<>())
        .onComplete(
            context.succeeding(
                pages ->
                    context.verify(
                        () -> {
                          assertThat(pages)
                              .extracting(
                                  page -> page.body().getJsonArray("repositories").getList())
                              .containsExactly(
                                  List.of("docker/plain", "empty/repo", "flatpak/hello"),
                                  List.of("hello-world", "multi/oci", "sort/a-b"),
                                  List.of("sort/a.b", "sort/a/b", "sort/a_b"),
                                  List.of("sort/ab", "tools/othello"));
                          assertThat(pages)
                              .extracting(Page::link)
                              .containsExactly(
                                  "</v2/_catalog?last=flatpak%2Fhello&n=3>; rel=\"next\"",
                                  "</v2/_catalog?last=sort%2Fa-b&n=3>; rel=\"next\"",
                                  "</v2/_catalog?last=sort%2Fa_b&n=3>; rel=\"next\"",
                                  null);
                          context.completeNow();
                        })));
  }

  @Test
  void theCatalogHasALinkOnlyWhenMoreFollow(VertxTestContext context) {
    get("/v2/_catalog?n=11")
        .compose(
            exact -> {
              context.verify(
                  () -> {
                    assertThat(exact.getHeader("Link")).isNull();
                    assertThat(exact.bodyAsJsonObject().getJsonArray("repositories").size())
                        .isEqualTo(11);
                  });
              return get("/v2/_catalog?n=10");
            })
        .compose(
            oneShort -> {
              context.verify(
                  () ->
                      assertThat(oneShort.getHeader("Link"))
                          .isEqualTo("</v2/_catalog?last=sort%2Fab&n=10>; rel=\"next\""));
              return get("/v2/_catalog?last=tools%2Fothello");
            })
        .onComplete(
            context.succeeding(
                after ->
                    context.verify(
                        () -> {
                          assertThat(after.getHeader("Link")).isNull();
                          assertThat(after.bodyAsJsonObject())
                              .isEqualTo(new JsonObject().put("repositories", new JsonArray()));
                          context.completeNow();
                        })));
  }

  @Test
  void lastIsComparedBytewise(VertxTestContext context) {
    get("/v2/_catalog?last=sort/a.b&n=2")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(
                                  response
                                      .bodyAsJsonObject()
                                      .getJsonArray("repositories")
                                      .getList())
                              .containsExactly("sort/a/b", "sort/a_b");
                          assertThat(response.getHeader("Link"))
                              .isEqualTo("</v2/_catalog?last=sort%2Fa_b&n=2>; rel=\"next\"");
                          context.completeNow();
                        })));
  }

  @Test
  void refusesABadPageSizeAsDistributionDoes(VertxTestContext context) {
    Future<Void> checks = Future.succeededFuture();
    for (String n : List.of("0", "1001", "x", "-1", "")) {
      checks =
          checks
              .compose(v -> get("/v2/_catalog?n=" + n))
              .map(
                  response -> {
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).as("n=%s", n).isEqualTo(400);
                          assertThat(response.getHeader("Docker-Distribution-Api-Version"))
                              .isEqualTo("registry/2.0");
                          JsonObject error =
                              response.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0);
                          assertThat(error.getString("code"))
                              .as("n=%s", n)
                              .isEqualTo("PAGINATION_NUMBER_INVALID");
                          assertThat(error.getJsonObject("detail"))
                              .isEqualTo(new JsonObject().put("parameter", "n"));
                        });
                    return null;
                  });
    }
    checks
        .compose(v -> get("/v2/_catalog?page=2"))
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(400);
                          JsonObject error =
                              response.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0);
                          assertThat(error.getString("code")).isEqualTo("INVALID_PARAMETER");
                          assertThat(error.getString("message"))
                              .isEqualTo("unknown parameter 'page'; listing takes n and last");
                          assertThat(error.getJsonObject("detail"))
                              .isEqualTo(new JsonObject().put("parameter", "page"));
                          context.completeNow();
                        })));
  }

  @Test
  void listsTheTagsOfARepositoryBytewise(VertxTestContext context) {
    get("/v2/flatpak/hello/tags/list")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          assertThat(response.getHeader("Docker-Distribution-Api-Version"))
                              .isEqualTo("registry/2.0");
                          assertThat(response.getHeader("Link")).isNull();
                          assertThat(response.bodyAsJsonObject())
                              .isEqualTo(
                                  new JsonObject()
                                      .put("name", "flatpak/hello")
                                      .put(
                                          "tags",
                                          new JsonArray().add("arm").add("latest").add("v1")));
                          context.completeNow();
                        })));
  }

  @Test
  void pagesTagsWithLinks(VertxTestContext context) {
    allPages("/v2/flatpak/hello/tags/list?n=2", new ArrayList<>())
        .onComplete(
            context.succeeding(
                pages ->
                    context.verify(
                        () -> {
                          assertThat(pages)
                              .extracting(Page::body)
                              .containsExactly(
                                  new JsonObject()
                                      .put("name", "flatpak/hello")
                                      .put("tags", new JsonArray().add("arm").add("latest")),
                                  new JsonObject()
                                      .put("name", "flatpak/hello")
                                      .put("tags", new JsonArray().add("v1")));
                          assertThat(pages.get(0).link())
                              .isEqualTo(
                                  "</v2/flatpak/hello/tags/list?last=latest&n=2>; rel=\"next\"");
                          context.completeNow();
                        })));
  }

  @Test
  void aRepositoryWithoutTagsHasAnEmptyList(VertxTestContext context) {
    get("/v2/empty/repo/tags/list")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          assertThat(response.bodyAsJsonObject())
                              .isEqualTo(
                                  new JsonObject()
                                      .put("name", "empty/repo")
                                      .put("tags", new JsonArray()));
                          context.completeNow();
                        })));
  }

  @Test
  void anUnknownRepositoryIsNameUnknown(VertxTestContext context) {
    get("/v2/no/such/tags/list")
        .compose(
            response -> {
              context.verify(
                  () -> {
                    assertThat(response.statusCode()).isEqualTo(404);
                    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
                    assertThat(response.getHeader("Docker-Distribution-Api-Version"))
                        .isEqualTo("registry/2.0");
                    assertThat(response.bodyAsJsonObject())
                        .isEqualTo(
                            distributionError(
                                "NAME_UNKNOWN",
                                "repository name not known to registry",
                                new JsonObject().put("name", "no/such")));
                  });
              return request(HttpMethod.HEAD, "/v2/no/such/tags/list");
            })
        .onComplete(
            context.succeeding(
                head ->
                    context.verify(
                        () -> {
                          assertThat(head.statusCode()).isEqualTo(404);
                          context.completeNow();
                        })));
  }

  @Test
  void aNameOutsideTheGrammarIsNameInvalid(VertxTestContext context) {
    Future<Void> checks = Future.succeededFuture();
    for (String name : List.of("Flatpak/hello", "a..b", "-a", "a__-b", "a/b_", "x".repeat(256))) {
      checks =
          checks
              .compose(v -> get("/v2/" + name + "/tags/list"))
              .map(
                  response -> {
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).as(name).isEqualTo(400);
                          assertThat(response.bodyAsJsonObject())
                              .as(name)
                              .isEqualTo(
                                  distributionError(
                                      "NAME_INVALID",
                                      "invalid repository name",
                                      new JsonObject().put("name", name)));
                        });
                    return null;
                  });
    }
    checks.onComplete(context.succeedingThenComplete());
  }

  static JsonObject hit(String name, String description) {
    return new JsonObject()
        .put("name", name)
        .put("description", description)
        .put("star_count", 0)
        .put("is_official", false)
        .put("is_automated", false);
  }

  @Test
  void searchRanksExactNameThenPrefixThenSubstringThenText(VertxTestContext context) {
    get("/v1/search?q=hello")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          assertThat(response.getHeader("Content-Type"))
                              .isEqualTo("application/json");
                          assertThat(response.bodyAsJsonObject())
                              .isEqualTo(
                                  new JsonObject()
                                      .put("num_results", 4)
                                      .put("num_pages", 1)
                                      .put("page", 1)
                                      .put("page_size", 25)
                                      .put("query", "hello")
                                      .put(
                                          "results",
                                          new JsonArray()
                                              .add(
                                                  hit("flatpak/hello", "Says hello")
                                                      .put("title", "Hello"))
                                              .add(hit("hello-world", ""))
                                              .add(hit("tools/othello", ""))
                                              .add(hit("docker/plain", "Greets you with hello"))));
                          context.completeNow();
                        })));
  }

  @Test
  void searchPages(VertxTestContext context) {
    get("/v1/search?q=HELLO&n=3&page=2")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.bodyAsJsonObject())
                              .isEqualTo(
                                  new JsonObject()
                                      .put("num_results", 4)
                                      .put("num_pages", 2)
                                      .put("page", 2)
                                      .put("page_size", 3)
                                      .put("query", "HELLO")
                                      .put(
                                          "results",
                                          new JsonArray()
                                              .add(hit("docker/plain", "Greets you with hello"))));
                          context.completeNow();
                        })));
  }

  @Test
  void searchCountsEveryMatchOnAPagePastTheEnd(VertxTestContext context) {
    get("/v1/search?q=hello&n=3&page=3")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.bodyAsJsonObject())
                              .isEqualTo(
                                  new JsonObject()
                                      .put("num_results", 4)
                                      .put("num_pages", 2)
                                      .put("page", 3)
                                      .put("page_size", 3)
                                      .put("query", "hello")
                                      .put("results", new JsonArray()));
                          context.completeNow();
                        })));
  }

  @Test
  void searchWithoutMatchesIsEmpty(VertxTestContext context) {
    get("/v1/search?q=zzz")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          assertThat(response.bodyAsJsonObject())
                              .isEqualTo(
                                  new JsonObject()
                                      .put("num_results", 0)
                                      .put("num_pages", 0)
                                      .put("page", 1)
                                      .put("page_size", 25)
                                      .put("query", "zzz")
                                      .put("results", new JsonArray()));
                          context.completeNow();
                        })));
  }

  /**
   * A two-character text finds names containing it through the index of their two-character
   * substrings (V9), exactly as a longer one finds them by trigrams: every tagged name containing
   * it, ranked before the text-only matches, wildcards of LIKE taken literally.
   */
  @Test
  void aTwoCharacterTextFindsEveryNameContainingIt() {
    List<String> tagged =
        List.of(
            "docker/plain",
            "flatpak/hello",
            "hello-world",
            "multi/oci",
            "sort/a_b",
            "sort/ab",
            "tools/othello");
    java.util.Set<String> terms = new java.util.TreeSet<>(List.of("_b", "a_", "%o", "zz", "LL"));
    tagged.forEach(
        name -> {
          for (int i = 0; i + 2 <= name.length(); i++) {
            terms.add(name.substring(i, i + 2));
          }
        });
    for (String term : terms) {
      String lower = term.toLowerCase(java.util.Locale.ROOT);
      List<String> containing = tagged.stream().filter(name -> name.contains(lower)).toList();
      var response =
          get("/v1/search?n=100&q=" + java.net.URLEncoder.encode(term, StandardCharsets.UTF_8))
              .await();
      assertThat(response.statusCode()).as(term).isEqualTo(200);
      List<String> names =
          response.bodyAsJsonObject().getJsonArray("results").stream()
              .map(r -> ((JsonObject) r).getString("name"))
              .toList();
      assertThat(names.subList(0, Math.min(names.size(), containing.size())))
          .as("'%s': the names containing it first, then text matches: %s", term, names)
          .containsExactlyInAnyOrderElementsOf(containing);
      assertThat(names.stream().filter(name -> name.contains(lower)).toList())
          .as("'%s'", term)
          .hasSameSizeAs(containing);
    }
  }

  @Test
  void searchTreatsLikeWildcardsAsText(VertxTestContext context) {
    get("/v1/search?q=a_b")
        .compose(
            underscore -> {
              context.verify(
                  () ->
                      assertThat(
                              underscore.bodyAsJsonObject().getJsonArray("results").stream()
                                  .map(r -> ((JsonObject) r).getString("name"))
                                  .toList())
                          .containsExactly("sort/a_b"));
              return get("/v1/search?q=%25");
            })
        .onComplete(
            context.succeeding(
                percent ->
                    context.verify(
                        () -> {
                          assertThat(percent.bodyAsJsonObject().getInteger("num_results"))
                              .isEqualTo(0);
                          context.completeNow();
                        })));
  }

  @Test
  void searchRefusesAMissingTermWithAJsonError(VertxTestContext context) {
    get("/v1/search?n=5")
        .compose(
            response -> {
              context.verify(
                  () -> {
                    assertThat(response.statusCode()).isEqualTo(400);
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
                                            "parameter 'q' (the search term) is required and must not be empty")
                                        .put("parameter", "q")));
                  });
              return get("/v1/search?q=hello&n=101");
            })
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(400);
                          assertThat(
                                  response
                                      .bodyAsJsonObject()
                                      .getJsonObject("error")
                                      .getString("parameter"))
                              .isEqualTo("n");
                          context.completeNow();
                        })));
  }
}
