package org.flagstate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.flagstate.cache.SearchMemo;
import org.flagstate.db.DatabaseServer;
import org.flagstate.db.SharedPool;
import org.flagstate.testsupport.RouteTestServer;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /api/v1/search} facets are exact (and said so) whatever the size of the match set, with or
 * without a text, while the index's {@link FacetGroups} are kept; counted in SQL (an index more
 * varied than the groups kept), those of a text's match set larger than {@link
 * ApiReader#FACETS_EXACT_UP_TO} are estimated from a sample, said so, close to the truth and the
 * same on every request. The total is always exact.
 */
@ExtendWith(VertxExtension.class)
class FacetEstimateRouteIT {

  static final int BULK = 3_000;
  static RouteTestServer server;
  static WebClient client;

  @BeforeAll
  static void start(Vertx vertx) {
    List<String> seed = new ArrayList<>(RouteTestServer.STANDARD_SEED);
    seed.add(
        "insert into repository (name) select 'bulk/r' || lpad(i::text, 5, '0')"
            + " from generate_series(1, "
            + BULK
            + ") i");
    // every fourth a Flatpak app, the rest plain images
    seed.add(
        "insert into tag (repository_id, name, digest, updated_at) select id, 'latest',"
            + " case when id % 4 = 0 then '"
            + RouteTestServer.HELLO
            + "' else '"
            + RouteTestServer.PLAIN
            + "' end, '2026-01-02T00:00:00Z' from repository where name like 'bulk/%'");
    server = RouteTestServer.prepare(seed);
    client = WebClient.create(vertx);
    server.deploy(vertx).await();
  }

  static JsonObject search(String query) {
    var response = client.get(server.port(), "127.0.0.1", "/api/v1/search?" + query).send().await();
    assertThat(response.statusCode()).as(query).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  static long count(String sql) {
    return Long.parseLong(TestDatabase.query(server.config().database().url(), sql));
  }

  @Test
  void aTextsLargeMatchSetGetsExactFacetsFromTheGroups() {
    long apps =
        count(
            "select count(*) from repository r where r.tag_count > 0 and r.name like 'bulk/%'"
                + " and r.facets @> '{kind:flatpak-app}'");
    JsonObject first = search("q=bulk&limit=1");
    assertThat(first.getLong("total")).isEqualTo(BULK);
    assertThat(first.getBoolean("facetsEstimated")).isFalse();
    assertThat(first.getJsonObject("facets").getJsonObject("kind").getLong("flatpak-app"))
        .isEqualTo(apps);
    assertThat(first.getJsonObject("facets").getJsonObject("namespace").getLong("bulk"))
        .isEqualTo(BULK);
  }

  @Test
  void aTextsLargeMatchSetCountedInSqlGetsEstimatedFacetsAndAnExactTotal() {
    long apps =
        count(
            "select count(*) from repository r where r.tag_count > 0 and r.name like 'bulk/%'"
                + " and r.facets @> '{kind:flatpak-app}'");
    // a reader that keeps no facet groups (an index more varied than it keeps) counts in SQL
    try (DatabaseServer database = DatabaseServer.start(server.config().database())) {
      Vertx vertx = Vertx.vertx();
      Pool pool = SharedPool.create(vertx, database.connectOptions(), 2);
      try {
        ApiReader sql = new ApiReader(pool, new SearchMemo(1 << 24, () -> 0), 0);
        ApiReader.SearchPage first = sql.search(bulk(1)).await();
        assertThat(first.page().total()).isEqualTo(BULK);
        assertThat(first.facetsEstimated()).isTrue();
        long estimated = first.facets().get("kind").get("flatpak-app");
        assertThat((double) estimated)
            .as("estimated Flatpak apps against the %d there are", apps)
            .isCloseTo(apps, within(apps * 0.1));
        ApiReader again = new ApiReader(pool, new SearchMemo(1 << 24, () -> 0), 0);
        assertThat(again.search(bulk(7)).await().facets())
            .as("the same estimate on another page size, by another reader")
            .isEqualTo(first.facets());
      } finally {
        pool.close().await();
        vertx.close().await();
      }
    }
  }

  private static RepositorySearch bulk(int limit) {
    return new RepositorySearch(
        "bulk",
        new TreeSet<>(),
        new TreeSet<>(),
        new TreeSet<>(),
        new TreeSet<>(),
        new TreeSet<>(),
        new TreeSet<>(),
        new ApiPage(limit, null));
  }

  @Test
  void aLargeMatchSetWithoutTextGetsExactFacets() {
    long apps =
        count(
            "select count(*) from repository r where r.tag_count > 0"
                + " and r.facets @> '{kind:flatpak-app}'");
    JsonObject all = search("limit=1");
    assertThat(all.getLong("total")).isEqualTo(BULK + 3);
    assertThat(all.getBoolean("facetsEstimated")).isFalse();
    assertThat(all.getJsonObject("facets").getJsonObject("kind").getLong("flatpak-app"))
        .isEqualTo(apps);
    assertThat(all.getJsonObject("facets").getJsonObject("namespace").getLong("bulk"))
        .isEqualTo(BULK);
  }

  @Test
  void aSmallMatchSetGetsExactFacets() {
    long apps =
        count(
            "select count(*) from repository r where r.tag_count > 0 and r.name like 'bulk/%'"
                + " and r.facets @> '{kind:flatpak-app}'");
    JsonObject result = search("namespace=bulk&kind=flatpak-app&limit=1");
    assertThat(result.getLong("total")).isEqualTo(apps);
    assertThat(result.getBoolean("facetsEstimated")).isFalse();
    assertThat(result.getJsonObject("facets").getJsonObject("kind").getLong("flatpak-app"))
        .isEqualTo(apps);
    assertThat(result.getJsonObject("facets").getJsonObject("namespace").getLong("bulk"))
        .isEqualTo(apps);
  }
}
