package org.flagstate.search;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.flagstate.cache.SearchMemo;
import org.flagstate.db.SqlStatement;

/**
 * The SQL behind search and listing. Matching and ranking are {@link RepositoryMatch}'s, the same
 * as the JSON API's search; a hit shows the title, description and icon the crawler stored for the
 * repository.
 */
public final class SearchReader {

  /**
   * One search hit; {@code title} and {@code icon} may be null, {@code description} falls back to
   * the title.
   */
  public record Hit(String name, String title, String description, String icon) {}

  /**
   * A page of hits, the total number of matches, and when the data of the answer last changed: a
   * matching repository (the total moves with any of them), or a removal from the index.
   */
  public record Hits(List<Hit> hits, long total, long lastModifiedMillis) {}

  /**
   * A page of names, whether more follow, and when the listed data last changed (the catalog: any
   * repository, or a removal; tags: the repository).
   */
  public record Names(List<String> names, boolean more, long lastModifiedMillis) {}

  /** When something last entered or left the index, and a page of the catalog. */
  private static final String CATALOG =
      "select "
          + RepositoryMatch.lastModified("(select max(changed_at) from repository)")
          + """
          ,
             array(select name from repository where ($1::text is null or name > $1) order by name limit $2)""";

  /**
   * The hits of a page of ranked ids, in their order; one that left the index since the ranking is
   * left out.
   */
  private static final String PAGE =
      "select r.name, r.title, coalesce(r.description, r.title, ''), r.icon"
          + " from unnest($1::bigint[]) with ordinality as p (id, position)"
          + " join repository r on r.id = p.id where "
          + RepositoryMatch.hasTags("r")
          + " order by p.position";

  private static final String REPOSITORY_EXISTS =
      "select id, changed_at from repository where name = $1";

  private static final String TAGS =
      """
      select array(select name from tag where repository_id = $1 and ($2::text is null or name > $2) order by name limit $3)""";

  /** The memo key of a text's ranked matches. */
  private static final String RANKED = "text matches ";

  /** The memo key of the node's {@link TextIndex}. */
  private static final String TEXT_INDEX = "text index";

  private final Pool pool;
  private final SearchMemo memo;

  /**
   * @param memo the node's remembered searches
   */
  public SearchReader(Pool pool, SearchMemo memo) {
    this.pool = pool;
    this.memo = memo;
  }

  /**
   * A page of ranked hits and the number of matches. A text's matches are read once while the index
   * is unchanged ({@link #textMatches}); a page then reads only its own rows.
   */
  public Future<Hits> search(SearchRequest request) {
    return textMatches(request.term()).compose(matches -> page(matches, request));
  }

  /**
   * Every repository {@code term} matches, in ranked order: read once per index generation and
   * shared by every search of the node for the same text, here and in the JSON API. The matches are
   * ranked in Java from their relevance and the names of the node's {@link TextIndex} (SQL sorting
   * them by name was most of what a broad text's first search cost); in SQL when the index is not
   * ready for the index as it is, or changed between the two readings.
   */
  public Future<TextMatches> textMatches(String term) {
    RepositoryMatch match = RepositoryMatch.of(term);
    return memo.remembered(
        RANKED + match.term(), TextMatches.class, () -> rank(match), TextMatches::bytes);
  }

  private Future<TextMatches> rank(RepositoryMatch match) {
    TextIndex index = memo.keptForIndex(TEXT_INDEX, TextIndex.class);
    if (index == null || index.names().isEmpty()) {
      return readMatches(match);
    }
    return matchSet(match)
        .compose(
            set -> {
              TextMatches ranked = index.names().ranked(set, match.lowerTerm());
              return ranked == null ? readMatches(match) : Future.succeededFuture(ranked);
            });
  }

  /**
   * Every repository {@code term} matches, in no particular order: the ranked matches when they are
   * remembered; else found in the node's {@link TextIndex} when it is ready for the index as it is
   * (1–2 ms, where the database took 23–29 ms for a broad prefix at 100,000 images); else read
   * without ranking them, once per index generation. No search reads the index: the search warm-up
   * does once the index has settled, rather than each search while a crawl changes the index many
   * times a second.
   */
  public Future<TextMatches> textMatchSet(String term) {
    RepositoryMatch match = RepositoryMatch.of(term);
    if (memo.remembers(RANKED + match.term())) {
      return textMatches(term);
    }
    TextIndex index = memo.keptForIndex(TEXT_INDEX, TextIndex.class);
    TextMatches found = index == null ? null : index.matchSet(match);
    return found == null ? matchSet(match) : Future.succeededFuture(found);
  }

  private Future<TextMatches> matchSet(RepositoryMatch match) {
    return memo.remembered(
        "text match set " + match.term(),
        TextMatches.class,
        () -> readMatchSet(match),
        TextMatches::bytes);
  }

  /** Reads the node's {@link TextIndex} now, unless it is remembered for the index as it is. */
  public Future<Void> prepareTextIndex() {
    return textIndex().mapEmpty();
  }

  /**
   * The names and words every text is matched and ranked with, read once per index generation (by
   * the search warm-up, {@link #prepareTextIndex}); none when they would take more than a quarter
   * of the memo (which might not keep them, and every search would read them again).
   */
  private Future<TextIndex> textIndex() {
    return memo.rememberedForIndex(
        TEXT_INDEX,
        TextIndex.class,
        () ->
            // prepared, so that rows come in binary: parsing 20,000 timestamps as text took longer
            pool.preparedQuery(TextIndex.SQL)
                .execute()
                .map(TextIndex::of)
                .map(
                    index ->
                        index.bytes() > memo.maxBytes() / 4 || !index.names().rankable()
                            ? TextIndex.NONE
                            : index));
  }

  private Future<TextMatches> readMatchSet(RepositoryMatch match) {
    return matchSetQuery(match, new SqlStatement())
        .executeThroughIndexes(pool)
        .map(SearchReader::matchesOf);
  }

  /**
   * Appends to {@code s} the statement of a text's match set, read from the narrow rows of {@code
   * tagged_repository} (V11). Each match's relevance comes with it, aggregated in the same pass (so
   * in the same order as the ids).
   */
  static SqlStatement matchSetQuery(RepositoryMatch match, SqlStatement s) {
    RepositoryMatch.Bound bound = match.bind(s);
    return s.append("select coalesce(array_agg(r.id), '{}'), ")
        .append(RepositoryMatch.lastModified("max(r.changed_at)"))
        .append(", coalesce(array_agg(")
        .append(bound.relevance("r"))
        .append("), '{}') from tagged_repository r where ")
        .append(bound.matches("r"));
  }

  /**
   * The matches of a statement whose row holds their ids, when the answer last changed and, when
   * read unranked, their relevance.
   */
  private static TextMatches matchesOf(RowSet<Row> rows) {
    Row row = rows.iterator().next();
    float[] relevance = null;
    if (row.size() > 2) {
      Float[] read = row.getArrayOfFloats(2);
      relevance = new float[read.length];
      for (int i = 0; i < read.length; i++) {
        relevance[i] = read[i];
      }
    }
    return new TextMatches(
        Arrays.stream(row.getArrayOfLongs(0)).mapToLong(Long::longValue).toArray(),
        relevance,
        millis(row.getOffsetDateTime(1)));
  }

  private Future<TextMatches> readMatches(RepositoryMatch match) {
    SqlStatement s = new SqlStatement();
    RepositoryMatch.Bound bound = match.bind(s);
    s.append("select coalesce(array_agg(m.id order by ")
        .append(RepositoryMatch.RANKED_ORDER)
        .append("), '{}'), ")
        .append(RepositoryMatch.lastModified("max(m.changed_at)"))
        .append(" from (select r.id, r.name, r.changed_at, ")
        .append(bound.rankColumns("r"))
        .append(" from repository r where ")
        .append(bound.condition("r"))
        .append(") m");
    return s.executeThroughIndexes(pool).map(SearchReader::matchesOf);
  }

  /** The page {@code request} asks for of the ranked matches. */
  private Future<Hits> page(TextMatches matches, SearchRequest request) {
    long from = (long) (request.page() - 1) * request.pageSize();
    int to = (int) Math.min(matches.size(), from + request.pageSize());
    if (from >= to) {
      return Future.succeededFuture(
          new Hits(List.of(), matches.size(), matches.lastModifiedMillis()));
    }
    Long[] page = new Long[to - (int) from];
    for (int i = 0; i < page.length; i++) {
      page[i] = matches.id((int) from + i);
    }
    return pool.preparedQuery(PAGE)
        .execute(Tuple.of(page))
        .map(
            rows -> {
              List<Hit> hits = new ArrayList<>();
              for (Row row : rows) {
                hits.add(
                    new Hit(
                        row.getString(0), row.getString(1), row.getString(2), row.getString(3)));
              }
              return new Hits(hits, matches.size(), matches.lastModifiedMillis());
            });
  }

  public Future<Names> catalog(PageRequest page) {
    return pool.preparedQuery(CATALOG)
        .execute(Tuple.of(page.last(), page.n() + 1))
        .map(
            rows -> {
              Row row = rows.iterator().next();
              return names(row.getArrayOfStrings(1), page, millis(row.getOffsetDateTime(0)));
            });
  }

  /** The repository's tags, or null when the repository is not in the index. */
  public Future<Names> tags(String repository, PageRequest page) {
    return pool.preparedQuery(REPOSITORY_EXISTS)
        .execute(Tuple.of(repository))
        .compose(
            found -> {
              if (found.size() == 0) {
                return Future.succeededFuture(null);
              }
              Row row = found.iterator().next();
              long changed = millis(row.getOffsetDateTime(1));
              return pool.preparedQuery(TAGS)
                  .execute(Tuple.of(row.getLong(0), page.last(), page.n() + 1))
                  .map(rows -> names(rows.iterator().next().getArrayOfStrings(0), page, changed));
            });
  }

  private static Names names(String[] found, PageRequest page, long lastModifiedMillis) {
    List<String> names = List.of(found);
    boolean more = names.size() > page.n();
    return new Names(more ? names.subList(0, page.n()) : names, more, lastModifiedMillis);
  }

  private static long millis(OffsetDateTime at) {
    return at == null ? 0 : at.toInstant().toEpochMilli();
  }
}
