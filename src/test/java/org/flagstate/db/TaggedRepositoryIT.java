package org.flagstate.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.flagstate.config.ConfigLoader;
import org.flagstate.config.FlagstateConfig;
import org.flagstate.testsupport.RouteTestServer;
import org.flagstate.testsupport.TestDatabase;
import org.flagstate.testsupport.TestSeeds;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code tagged_repository} (V10), the narrow rows facet counting and text matching read, is
 * derived from {@code repository} and must never disagree with it: one row per repository with
 * tags, with its name, {@code changed_at}, its facets and common facets as {@code facet_token} ids,
 * and (V11) its name's two-character substrings and full-text document. Checked after the
 * migrations fill it from an index stored by V9, and after every step of seeded random changes made
 * the ways Flagstate makes them (tags inserted, moved and deleted, {@code changed_at} and the
 * document set, repositories deleted, everything re-derived).
 */
class TaggedRepositoryIT {

  static final List<String> DIGESTS = RouteTestServer.STANDARD_DIGESTS;

  /**
   * Rows where the two disagree, both ways; token sets compared sorted bytewise. Empty when they
   * agree.
   */
  static final String DISAGREEMENTS =
      """
      with derived as (
        select id, name, changed_at,
               array(select u from unnest(facets) u order by u collate "C") as facets,
               array(select u from unnest(common_facets) u order by u collate "C") as common_facets,
               name_bigrams, search_document
        from repository where tag_count > 0),
      kept as (
        select t.id, t.name, t.changed_at,
               array(select f.token from facet_token f where f.id = any(t.tokens) order by f.token) as facets,
               array(select f.token from facet_token f where f.id = any(t.common_tokens) order by f.token)
                 as common_facets,
               t.name_bigrams, t.search_document
        from tagged_repository t)
      select coalesce(string_agg(d::text, '; '), '') from (
        (select 'missing or stale', * from derived except select 'missing or stale', * from kept)
        union all
        (select 'extra or stale', * from kept except select 'extra or stale', * from derived)) d""";

  static long seed;
  static String url;

  @BeforeAll
  static void fillAnIndexStoredBeforeV10() {
    seed = TestSeeds.seed(TaggedRepositoryIT.class);
    url = TestDatabase.createDatabase();
    Properties none = new Properties();
    FlagstateConfig config =
        new ConfigLoader(
                java.util.Map.of(
                    "FLAGSTATE_DATABASE_URL", url, "FLAGSTATE_REGISTRY_URL", "http://127.0.0.1:9"),
                none)
            .resolve(null);
    DatabaseServer server = DatabaseServer.start(config.database());
    try {
      var options = server.connectOptions();
      Flyway.configure()
          .dataSource(server.jdbcUrl(), options.getUser(), options.getPassword())
          .locations("classpath:db/migration")
          .target("9")
          .load()
          .migrate();
      RouteTestServer.STANDARD_SEED.forEach(statement -> TestDatabase.execute(url, statement));
      Migrations.apply(server, config.ui().cockpitLabel());
    } finally {
      server.close();
    }
  }

  @AfterAll
  static void dropDatabase() {
    TestDatabase.dropDatabase(url);
  }

  @Test
  void theMigrationFillsItFromTheStoredIndex() {
    assertThat(TestDatabase.query(url, "select count(*) from tagged_repository"))
        .isEqualTo(TestDatabase.query(url, "select count(*) from repository where tag_count > 0"))
        .isNotEqualTo("0");
    assertThat(TestDatabase.query(url, DISAGREEMENTS)).isEmpty();
  }

  @Test
  void everyChangeToTheIndexKeepsItEqualToRepository() {
    Random random = new Random(seed);
    List<String> steps = new ArrayList<>();
    for (int step = 0; step < 200; step++) {
      String repository = "mix/r" + random.nextInt(12);
      String tag = "t" + random.nextInt(4);
      String digest = DIGESTS.get(random.nextInt(DIGESTS.size()));
      String change =
          switch (random.nextInt(8)) {
            case 0 ->
                "insert into repository (name) values ('"
                    + repository
                    + "') on conflict do nothing";
            case 1 ->
                "insert into tag (repository_id, name, digest, updated_at) select id, '"
                    + tag
                    + "', '"
                    + digest
                    + "', now() from repository where name = '"
                    + repository
                    + "' on conflict (repository_id, name) do update set digest = excluded.digest";
            case 2 ->
                "update tag set digest = '"
                    + digest
                    + "' where repository_id = (select id from repository where name = '"
                    + repository
                    + "')";
            case 3 ->
                "delete from tag where name = '"
                    + tag
                    + "' and repository_id = (select id from repository where name = '"
                    + repository
                    + "')";
            case 4 -> "update repository set changed_at = now() where name = '" + repository + "'";
            case 5 -> "delete from repository where name = '" + repository + "'";
            case 6 ->
                "update repository set search_document = "
                    + org.flagstate.search.RepositoryMatch.document(
                        "name", "'word" + random.nextInt(5) + "'", "null")
                    + " where name = '"
                    + repository
                    + "'";
            default -> "select flagstate_refresh_repositories(array(select id from repository))";
          };
      steps.add(change);
      TestDatabase.execute(url, change);
      assertThat(TestDatabase.query(url, DISAGREEMENTS))
          .as("after %s (seed %d)", String.join(";\n", steps), seed)
          .isEmpty();
    }
    assertThat(TestDatabase.query(url, "select count(*) from tagged_repository"))
        .as("some repositories have tags at the end")
        .isNotEqualTo("0");
  }
}
