package org.flagstate.search;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
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

  private static final String REPOSITORY_EXISTS =
      "select id, changed_at from repository where name = $1";

  private static final String TAGS =
      """
      select array(select name from tag where repository_id = $1 and ($2::text is null or name > $2) order by name limit $3)""";

  private final Pool pool;

  public SearchReader(Pool pool) {
    this.pool = pool;
  }

  /**
   * A page of ranked hits and the number of matches. The rank of every match comes from its name
   * alone (cheap); the text relevance ({@code ts_rank}, the costly part) is computed only for the
   * matches in the ranks the page reaches, so a page of name matches never ranks the thousands of
   * text matches after them.
   */
  public Future<Hits> search(SearchRequest request) {
    SqlStatement s = new SqlStatement();
    RepositoryMatch.Bound match = RepositoryMatch.of(request.term()).bind(s);
    String offset = s.param((long) (request.page() - 1) * request.pageSize()) + "::bigint";
    String limit = s.param((long) request.pageSize()) + "::bigint";
    s.append("with matched as materialized (select r.id, r.name, r.search_document, r.changed_at, ")
        .append(match.rank("r"))
        .append(" as rank from repository r where ")
        .append(match.condition("r"))
        .append("),")
        // per rank: how many matches, and how many rank before it
        .append(
            " ranks as (select rank, count(*) as n, (sum(count(*)) over (order by rank) - count(*))::bigint as before")
        .append(" from matched group by rank),")
        .append(" needed as (select rank, before from ranks where before < ")
        .append(offset)
        .append(" + ")
        .append(limit)
        .append(" and before + n > ")
        .append(offset)
        .append("),")
        .append(" page as (select m.id, m.name, m.rank, ")
        .append(match.relevance("m"))
        .append(" as relevance from matched m where m.rank in (select rank from needed) order by ")
        .append(RepositoryMatch.RANKED_ORDER)
        .append(" offset ")
        .append(offset)
        .append(" - coalesce((select min(before) from needed), 0) limit ")
        .append(limit)
        .append(")")
        // one row even past the last page, so the total is known there too
        .append(" select (select coalesce(sum(n), 0) from ranks)::bigint,")
        .append(" ")
        .append(RepositoryMatch.lastModified("(select max(changed_at) from matched)"))
        .append(",")
        .append(" r.name, r.title,")
        .append(" coalesce(r.description, r.title, ''), r.icon")
        .append(
            " from (values (1)) as one (x) left join (page p join repository r on r.id = p.id) on true")
        .append(" order by p.rank, p.relevance desc, p.name");
    return s.executeThroughIndexes(pool)
        .map(
            rows -> {
              List<Hit> hits = new ArrayList<>();
              long total = 0;
              long lastModified = 0;
              for (Row row : rows) {
                total = row.getLong(0);
                lastModified = millis(row.getOffsetDateTime(1));
                if (row.getString(2) != null) {
                  hits.add(
                      new Hit(
                          row.getString(2), row.getString(3), row.getString(4), row.getString(5)));
                }
              }
              return new Hits(hits, total, lastModified);
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
