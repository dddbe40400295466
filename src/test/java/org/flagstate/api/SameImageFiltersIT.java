package org.flagstate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.flagstate.testsupport.RouteTestServer;
import org.flagstate.testsupport.TestDatabase;
import org.flagstate.testsupport.TestSeeds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Filters on several facets hold together for one image: {@code /api/v1/search} answers exactly the
 * repositories that have one image (tagged, or a member of a tagged list) meeting every filter,
 * whether it decides that from the tokens all the repository's images share ({@code common_facets},
 * V9) or image by image. Seeded random repositories mix the standard seed's images (amd64 and
 * arm64, Flatpak and plain, OCI and Docker, lists and their members), and seeded random filters are
 * checked against a plain per-image query of {@code repository_image}.
 */
@ExtendWith(VertxExtension.class)
class SameImageFiltersIT {

  static final int REPOSITORIES = 300;
  static final List<String> DIGESTS = RouteTestServer.STANDARD_DIGESTS;

  /** Filter values per facet, some that no image has. */
  static final Map<String, List<String>> VALUES =
      Map.of(
          "architecture", List.of("amd64", "arm64", "s390x"),
          "os", List.of("linux", "windows"),
          "label",
              List.of(
                  "org.flatpak.ref",
                  "org.opencontainers.image.title",
                  "org.opencontainers.image.description"),
          "mediaType",
              List.of(RouteTestServer.OCI, RouteTestServer.OCI_INDEX, RouteTestServer.DOCKER),
          "kind", List.of("flatpak-app", "container-image", "cockpit-plugin"));

  static long seed;
  static RouteTestServer server;
  static WebClient client;

  @BeforeAll
  static void start(Vertx vertx) {
    seed = TestSeeds.seed(SameImageFiltersIT.class);
    Random random = new Random(seed);
    List<String> sql = new ArrayList<>(RouteTestServer.STANDARD_SEED);
    sql.add(
        "insert into repository (name) select 'mix/r' || lpad(i::text, 4, '0')"
            + " from generate_series(1, "
            + REPOSITORIES
            + ") i");
    for (int i = 1; i <= REPOSITORIES; i++) {
      int tags = 1 + random.nextInt(3);
      for (int t = 0; t < tags; t++) {
        sql.add(
            RouteTestServer.tag(
                "mix/r%04d".formatted(i),
                "t" + t,
                DIGESTS.get(random.nextInt(DIGESTS.size())),
                "2026-01-02T00:00:00Z"));
      }
    }
    server = RouteTestServer.prepare(sql);
    client = WebClient.create(vertx);
    server.deploy(vertx).await();
  }

  @AfterAll
  static void dropDatabase() {
    TestDatabase.dropDatabase(server.config().database().url());
  }

  @Test
  void severalFiltersMatchTheRepositoriesWithOneImageMeetingThemAll() {
    Random random = new Random(seed + 1);
    List<String> facets = List.copyOf(new java.util.TreeSet<>(VALUES.keySet()));
    int checked = 0;
    int shortcut = 0;
    for (int round = 0; round < 60; round++) {
      Map<String, List<String>> filters = new LinkedHashMap<>();
      int count = 2 + random.nextInt(3);
      while (filters.size() < count) {
        String facet = facets.get(random.nextInt(facets.size()));
        List<String> values = new ArrayList<>(VALUES.get(facet));
        java.util.Collections.shuffle(values, random);
        filters.put(facet, values.subList(0, 1 + (random.nextInt(4) == 0 ? 1 : 0)));
      }
      List<String> expected = expected(filters);
      String query =
          "namespace=mix&limit=100&"
              + filters.entrySet().stream()
                  .flatMap(
                      e ->
                          e.getValue().stream()
                              .map(
                                  v ->
                                      e.getKey()
                                          + "="
                                          + URLEncoder.encode(v, StandardCharsets.UTF_8)))
                  .collect(Collectors.joining("&"));
      var response =
          client.get(server.port(), "127.0.0.1", "/api/v1/search?" + query).send().await();
      assertThat(response.statusCode()).as(query).isEqualTo(200);
      JsonObject body = response.bodyAsJsonObject();
      List<String> names =
          body.getJsonArray("repositories").stream()
              .map(r -> ((JsonObject) r).getString("name"))
              .toList();
      assertThat(names)
          .as("%s (seed %d)", query, seed)
          .isEqualTo(expected.subList(0, Math.min(100, expected.size())));
      assertThat(body.getLong("total")).as(query).isEqualTo(expected.size());
      checked += expected.size();
      shortcut += Integer.parseInt(decidedByCommonTokens(filters));
    }
    assertThat(checked).as("the filters matched something").isGreaterThan(50);
    assertThat(shortcut)
        .as("matches decided from the common tokens alone, without a per-image lookup")
        .isGreaterThan(0);
  }

  /** The oracle: repositories of mix/ with one repository_image row meeting every filter. */
  static List<String> expected(Map<String, List<String>> filters) {
    String perImage =
        filters.entrySet().stream()
            .map(e -> " and i.tokens && " + tokens(e.getKey(), e.getValue()))
            .collect(Collectors.joining());
    String names =
        TestDatabase.query(
            server.config().database().url(),
            "select coalesce(string_agg(r.name, ',' order by r.name), '') from repository r"
                + " where r.name like 'mix/%' and r.tag_count > 0 and exists (select 1 from"
                + " repository_image i where i.repository_id = r.id"
                + perImage
                + ")");
    return names.isEmpty() ? List.of() : List.of(names.split(","));
  }

  /** How many matches meet all filters but one with tokens every image of theirs has. */
  static String decidedByCommonTokens(Map<String, List<String>> filters) {
    String missed =
        filters.entrySet().stream()
            .map(e -> "(not r.common_facets && " + tokens(e.getKey(), e.getValue()) + ")::int")
            .collect(Collectors.joining(" + "));
    String all =
        filters.entrySet().stream()
            .map(e -> " and r.facets && " + tokens(e.getKey(), e.getValue()))
            .collect(Collectors.joining());
    return TestDatabase.query(
        server.config().database().url(),
        "select count(*) from repository r where r.name like 'mix/%' and r.tag_count > 0"
            + all
            + " and "
            + missed
            + " <= 1");
  }

  static String tokens(String facet, List<String> values) {
    return values.stream()
        .map(value -> "'" + facet + ":" + value + "'")
        .collect(Collectors.joining(",", "array[", "]::text[]"));
  }
}
