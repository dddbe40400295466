package org.flagstate.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.flagstate.cache.SearchMemo;
import org.flagstate.db.DatabaseServer;
import org.flagstate.db.SharedPool;
import org.flagstate.testsupport.RouteTestServer;
import org.flagstate.testsupport.TestDatabase;
import org.flagstate.testsupport.TestSeeds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A text's matches are found in the node's {@link TextIndex} and ranked in Java from their
 * relevance and its names; they must be exactly the repositories SQL finds, and come in exactly the
 * order {@link RepositoryMatch#RANKED_ORDER} gives in SQL, which ranks them when the names are not
 * kept.
 *
 * <p>A text's matches are ranked in Java from their relevance and the node's {@link TaggedNames};
 * they must come in exactly the order {@link RepositoryMatch#RANKED_ORDER} gives in SQL, which
 * ranks them when the names are not kept. Seeded random repositories (names in namespaces and
 * deeper, exact and partial last components, titles and descriptions repeating words so that
 * relevance differs and ties) and seeded random texts (parts of names, words, two-word texts, case,
 * none).
 */
class TextRankingIT {

  static final List<String> WORDS =
      List.of(
          "alpha", "alps", "beta", "bet", "gamma", "gam", "hello", "help", "caf", "café", "日本",
          "sort", "tools", "te", "team", "tea", "steam", "ab", "a_b", "x86", "1e5x", "2026", "v2");

  static long seed;
  static RouteTestServer server;
  static Vertx vertx;
  static Pool pool;
  static DatabaseServer database;
  static List<String> names = new ArrayList<>();

  @BeforeAll
  static void start() {
    seed = TestSeeds.seed(TextRankingIT.class);
    Random random = new Random(seed);
    List<String> sql = new ArrayList<>(RouteTestServer.STANDARD_SEED);
    Set<String> taken = new TreeSet<>();
    for (int i = 0; taken.size() < 300; i++) {
      String last =
          switch (random.nextInt(4)) {
            case 0 -> word(random);
            case 1 -> word(random) + "-" + word(random);
            default -> word(random) + i;
          };
      String name =
          switch (random.nextInt(4)) {
            case 0 -> last;
            case 1 -> word(random) + "/sub/" + last;
            default -> word(random) + "/" + last;
          };
      name = name.replace("é", "e").replace("日本", "jp").replace("_", "-");
      if (!taken.add(name)) {
        continue;
      }
      String title = random.nextBoolean() ? null : phrase(random, 1 + random.nextInt(3));
      String description = random.nextInt(3) == 0 ? null : phrase(random, random.nextInt(12));
      sql.add(
          "insert into repository (name, title, description, search_document) values ("
              + literal(name)
              + ", "
              + literal(title)
              + ", "
              + literal(description)
              + ", "
              + RepositoryMatch.document(literal(name), literal(title), literal(description))
              // a name of the standard seed keeps that repository
              + ") on conflict (name) do nothing");
      if (random.nextInt(8) != 0) { // a repository without tags is not in the index
        sql.add(
            RouteTestServer.tag(
                name, "ranked", RouteTestServer.STANDARD_DIGESTS.get(0), "2026-01-01T00:00:00Z"));
        names.add(name);
      }
    }
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

  /**
   * A reader whose memo keeps the text index, and one whose memo is too small to keep it, so that
   * every text is matched and ranked in SQL; both see the index generation {@code generation}.
   */
  private record Readers(
      AtomicLong generation, SearchMemo memo, SearchReader inJava, SearchReader inSql) {
    static Readers of() {
      AtomicLong generation = new AtomicLong();
      SearchMemo memo = new SearchMemo(1 << 24, generation::get);
      return new Readers(
          generation,
          memo,
          new SearchReader(pool, memo),
          new SearchReader(pool, new SearchMemo(1024, generation::get)));
    }
  }

  @Test
  void javaRanksEveryTextAsSqlDoes() {
    Readers readers = Readers.of();
    SearchReader inJava = readers.inJava();
    Random random = new Random(seed + 1);
    long ranked = 0;
    int ties = 0;
    for (int round = 0; round < 400; round++) {
      if (round % 50 == 49) {
        readers.generation().incrementAndGet(); // the names and matches are read again
      }
      inJava.prepareTextIndex().await(); // as the search warm-up does
      String text = text(random);
      if (random.nextInt(4) == 0) {
        // the unranked set first, as /api/v1/search reads it (from the text index)
        inJava.textMatchSet(text).await();
      }
      TextMatches java = inJava.textMatches(text).await();
      TextMatches sql = readers.inSql().textMatches(text).await();
      assertThat(ids(java)).as("'%s' (seed %d)", text, seed).isEqualTo(ids(sql));
      assertThat(java.lastModifiedMillis()).isEqualTo(sql.lastModifiedMillis());
      assertThat(java.hasRelevance()).as("ranked in Java").isFalse();
      ranked += java.size();
      ties += java.size() > 1 ? 1 : 0;
    }
    assertThat(readers.memo().remembers("text index")).as("the names were kept").isTrue();
    assertThat(ranked).as("the texts matched something").isGreaterThan(5_000);
    assertThat(ties).as("texts with several matches").isGreaterThan(200);
  }

  @Test
  void theTextIndexFindsEveryTextsMatchesAsSqlDoes() {
    Readers readers = Readers.of();
    SearchReader inJava = readers.inJava();
    Random random = new Random(seed + 2);
    int answered = 0;
    int inDatabase = 0;
    long matched = 0;
    for (int round = 0; round < 400; round++) {
      if (round % 100 == 99) {
        readers.generation().incrementAndGet(); // read again, as after a change of the index
      }
      inJava.prepareTextIndex().await();
      String text = round % 7 == 0 ? text(random) + " " + text(random) : text(random);
      TextMatches sql = readers.inSql().textMatchSet(text).await();
      assertThat(sql.hasRelevance()).as("'%s' read in SQL", text).isTrue();
      TextMatches found =
          readers
              .memo()
              .keptForIndex("text index", TextIndex.class)
              .matchSet(RepositoryMatch.of(text));
      TextMatches served = inJava.textMatchSet(text).await();
      if (found == null) {
        inDatabase++;
        assertThat(served.hasRelevance()).as("'%s' read in SQL", text).isTrue();
        continue;
      }
      answered++;
      assertThat(served.hasRelevance()).as("'%s' found in the index", text).isFalse();
      assertThat(sorted(found)).as("'%s' (seed %d)", text, seed).isEqualTo(sorted(sql));
      assertThat(sorted(served)).isEqualTo(sorted(sql));
      assertThat(found.lastModifiedMillis()).as("'%s'", text).isEqualTo(sql.lastModifiedMillis());
      matched += found.size();
    }
    assertThat(answered).as("texts found in the index").isGreaterThan(250);
    assertThat(inDatabase).as("texts left to SQL (café, 日本, 1e5x)").isGreaterThan(10);
    assertThat(matched).as("the texts matched something").isGreaterThan(2_000);
  }

  /**
   * The match set is read through tagged_repository's indexes (V11): the two-character substrings
   * or the trigrams of the name, and the document; never a scan of every row.
   */
  @Test
  void theMatchSetIsReadThroughTheNarrowRowsIndexes() {
    for (var expected :
        java.util.Map.of(
                "te", "tagged_repository_name_bigrams",
                "tea", "tagged_repository_name_trgm",
                "tea pot", "tagged_repository_name_trgm")
            .entrySet()) {
      String plan =
          String.join(
              "\n",
              SearchReader.matchSetQuery(
                      RepositoryMatch.of(expected.getKey()),
                      new org.flagstate.db.SqlStatement().append("explain "))
                  .executeThroughIndexes(pool)
                  .await()
                  .value()
                  .stream()
                  .map(row -> row.getString(0))
                  .toList());
      assertThat(plan)
          .as("'%s'", expected.getKey())
          .contains(expected.getValue(), "tagged_repository_search_document")
          .doesNotContain("Seq Scan on tagged_repository");
    }
  }

  private static String text(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> {
        String name = names.get(random.nextInt(names.size()));
        int from = random.nextInt(name.length());
        String part = name.substring(from, Math.min(name.length(), from + 1 + random.nextInt(6)));
        yield part.isBlank() ? "a" : part;
      }
      case 1 -> word(random) + " " + word(random);
      case 2 -> word(random).toUpperCase(java.util.Locale.ROOT);
      case 3 -> names.get(random.nextInt(names.size()));
      default -> word(random).substring(0, 1 + random.nextInt(2));
    };
  }

  private static String word(Random random) {
    return WORDS.get(random.nextInt(WORDS.size()));
  }

  private static String phrase(Random random, int words) {
    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < words; i++) {
      chosen.add(word(random));
    }
    return String.join(" ", chosen);
  }

  private static String literal(String value) {
    return value == null ? "null" : "'" + value.replace("'", "''") + "'";
  }

  private static List<Long> sorted(TextMatches matches) {
    return ids(matches).stream().sorted().toList();
  }

  private static List<Long> ids(TextMatches matches) {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < matches.size(); i++) {
      ids.add(matches.id(i));
    }
    return ids;
  }
}
