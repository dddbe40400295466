package org.flagstate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.flagstate.cache.SearchMemo;
import org.flagstate.db.DatabaseServer;
import org.flagstate.db.SharedPool;
import org.flagstate.search.SearchReader;
import org.flagstate.testsupport.RouteTestServer;
import org.flagstate.testsupport.TestDatabase;
import org.flagstate.testsupport.TestSeeds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A search counts, filters and pages its match set by the index's {@link FacetGroups}, in Java (a
 * text's matches read once, {@code TextMatches}); with more groups than {@code maxFacetGroups}, in
 * SQL over {@code tagged_repository} or, with a text, {@code repository}. Both must give the same
 * page, cursor, total, facets and last change for every search: seeded random repositories in
 * several namespaces (the standard seed's images mixed, lists among them) and seeded random texts,
 * cursors, namespace and image filters, asked of a reader that keeps the groups and of two that
 * keep none (more groups than they keep; a memo too small for them).
 */
class FacetGroupsIT {

  static final int REPOSITORIES = 400;
  static final List<String> DIGESTS = RouteTestServer.STANDARD_DIGESTS;
  static final List<String> NAMESPACES = List.of("alpha", "beta", "beta-x", "gamma");

  /** Texts that match many, some, one or none of the repositories, by name or by words. */
  static final List<String> TEXTS =
      List.of(
          "r0",
          "r01",
          "r0123",
          "a",
          "alpha",
          "beta",
          "sub",
          "solo",
          "o0",
          "hello",
          "caf",
          "sort",
          "a_b",
          "Beta X",
          "nothing-like-it");

  static long seed;
  static RouteTestServer server;
  static DatabaseServer database;
  static Vertx vertx;
  static Pool pool;

  @BeforeAll
  static void start() {
    seed = TestSeeds.seed(FacetGroupsIT.class);
    Random random = new Random(seed);
    List<String> sql = new ArrayList<>(RouteTestServer.STANDARD_SEED);
    for (int i = 1; i <= REPOSITORIES; i++) {
      // some without a namespace, some one level deeper
      String name =
          switch (random.nextInt(6)) {
            case 0 -> "solo%04d".formatted(i);
            case 1 -> NAMESPACES.get(random.nextInt(NAMESPACES.size())) + "/sub/r%04d".formatted(i);
            default -> NAMESPACES.get(random.nextInt(NAMESPACES.size())) + "/r%04d".formatted(i);
          };
      sql.add("insert into repository (name) values ('" + name + "')");
      int tags = random.nextInt(4); // a repository without tags is not in the index
      for (int t = 0; t < tags; t++) {
        sql.add(
            RouteTestServer.tag(
                name,
                "t" + t,
                DIGESTS.get(random.nextInt(DIGESTS.size())),
                "2026-01-0%dT00:00:00Z".formatted(1 + random.nextInt(9))));
      }
    }
    sql.add("update index_state set last_removal_at = '2026-01-05T00:00:00Z'");
    server = RouteTestServer.prepare(sql);
    database = DatabaseServer.start(server.config().database());
    vertx = Vertx.vertx();
    pool = SharedPool.create(vertx, database.connectOptions(), 2);
  }

  @AfterAll
  static void stop() {
    pool.close().await();
    vertx.close().await();
    database.close();
    TestDatabase.dropDatabase(server.config().database().url());
  }

  @Test
  void groupsCountFilterAndPageEverySearchAsSqlDoes() {
    AtomicLong generation = new AtomicLong();
    SearchMemo groupsMemo = new SearchMemo(1 << 24, generation::get);
    ApiReader groups = new ApiReader(pool, groupsMemo);
    // /v1/search's ranked matches of a text, when remembered, serve the JSON API's search too
    SearchReader v1 = new SearchReader(pool, groupsMemo);
    ApiReader sql = new ApiReader(pool, new SearchMemo(1 << 24, generation::get), 0);
    // groups heavier than a quarter of the memo are not kept either
    ApiReader smallMemo = new ApiReader(pool, new SearchMemo(16 * 1024, generation::get));
    Map<String, List<String>> values =
        Map.of(
            "architecture", List.of("amd64", "arm64", "s390x"),
            "os", List.of("linux", "windows"),
            "label", List.of("org.flatpak.ref", "org.opencontainers.image.title", "nosuch"),
            "mediaType",
                List.of(RouteTestServer.OCI, RouteTestServer.OCI_INDEX, RouteTestServer.DOCKER),
            "kind", List.of("flatpak-app", "container-image", "cockpit-plugin"));
    Random random = new Random(seed + 1);
    List<String> names =
        List.of(
            TestDatabase.query(
                    server.config().database().url(),
                    "select string_agg(name, ',' order by name) from tagged_repository")
                .split(","));
    long matched = 0;
    long withText = 0;
    long followed = 0;
    for (int round = 0; round < 240; round++) {
      Map<String, TreeSet<String>> filters = new java.util.HashMap<>();
      int count = round == 0 ? 0 : random.nextInt(4);
      List<String> facets = List.copyOf(new TreeSet<>(values.keySet()));
      for (int i = 0; i < count; i++) {
        String facet = facets.get(random.nextInt(facets.size()));
        List<String> choices = values.get(facet);
        filters
            .computeIfAbsent(facet, f -> new TreeSet<>())
            .add(choices.get(random.nextInt(choices.size())));
      }
      TreeSet<String> namespaces = new TreeSet<>();
      if (random.nextInt(3) == 0) {
        namespaces.add(NAMESPACES.get(random.nextInt(NAMESPACES.size())));
        if (random.nextBoolean()) {
          namespaces.add(NAMESPACES.get(random.nextInt(NAMESPACES.size())));
        }
      }
      String text = round % 2 == 0 ? null : TEXTS.get(random.nextInt(TEXTS.size()));
      String after = random.nextInt(3) == 0 ? names.get(random.nextInt(names.size())) : null;
      RepositorySearch search =
          new RepositorySearch(
              text,
              filters.getOrDefault("architecture", new TreeSet<>()),
              filters.getOrDefault("os", new TreeSet<>()),
              filters.getOrDefault("label", new TreeSet<>()),
              filters.getOrDefault("mediaType", new TreeSet<>()),
              filters.getOrDefault("kind", new TreeSet<>()),
              namespaces,
              new ApiPage(1 + random.nextInt(ApiPage.MAX_LIMIT / 4), after));
      String asked = search.queryString(search.page().cursor());
      if (text != null && random.nextBoolean()) {
        v1.textMatches(text).await();
      }
      ApiReader.SearchPage fromGroups = groups.search(search).await();
      ApiReader.SearchPage inSql = sql.search(search).await();
      assertThat(fromGroups).as("%s (seed %d)", asked, seed).isEqualTo(inSql);
      assertThat(smallMemo.search(search).await()).as("%s (seed %d)", asked, seed).isEqualTo(inSql);
      assertThat(fromGroups.facetsEstimated()).isFalse();
      matched += fromGroups.page().total();
      withText += text == null ? 0 : fromGroups.page().total();
      followed += fromGroups.page().nextAfter() == null ? 0 : 1;
    }
    assertThat(matched).as("the searches matched something").isGreaterThan(1_000);
    assertThat(withText).as("the texts matched something").isGreaterThan(500);
    assertThat(followed).as("pages with a next one").isGreaterThan(20);
  }

  @Test
  void repositoriesWithoutANamespaceShareGroups() {
    FacetGroups groups =
        pool.preparedQuery(FacetGroups.SQL)
            .execute(io.vertx.sqlclient.Tuple.of(FacetGroups.MAX_GROUPS + 1))
            .map(rows -> FacetGroups.of(rows, FacetGroups.MAX_GROUPS))
            .await();
    long solo =
        Long.parseLong(
            TestDatabase.query(
                server.config().database().url(),
                "select count(*) from tagged_repository where strpos(name, '/') = 0"));
    long soloGroups = groups.groups().stream().filter(group -> !group.namespaced()).count();
    long soloTokenSets =
        Long.parseLong(
            TestDatabase.query(
                server.config().database().url(),
                """
                select count(*) from (select distinct t.tokens, t.common_tokens,
                  (select jsonb_agg(i.tokens order by i.tokens) from repository_image i
                   where i.repository_id = t.id and t.tokens <> t.common_tokens)
                from tagged_repository t where strpos(t.name, '/') = 0) x"""));
    assertThat(solo).as("repositories without a namespace in the index").isGreaterThan(20);
    assertThat(soloGroups)
        .as("groups of the %d repositories without a namespace: one per set of tokens", solo)
        .isEqualTo(soloTokenSets)
        .isLessThan(solo);
    assertThat(groups.groups().stream().mapToLong(FacetGroups.Group::repositories).sum())
        .isEqualTo(
            Long.parseLong(
                TestDatabase.query(
                    server.config().database().url(), "select count(*) from tagged_repository")));
  }
}
