package org.flagstate.search;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL behind search and listing. Matching and ranking run in PostgreSQL: trigram index on names,
 * full-text index on names, titles and descriptions; ranked exact name, name prefix, name substring,
 * then text relevance.
 */
public final class SearchReader {

  /** One search hit. */
  public record Hit(String name, String description) {}

  /** A page of hits and the total number of matches. */
  public record Hits(List<Hit> hits, long total) {}

  /** A page of names, and whether more follow. */
  public record Names(List<String> names, boolean more) {}

  // $1 the term, $2 the term as a LIKE pattern body (escaped), $3 limit, $4 offset.
  // A name "matches exactly" when the whole name or its last path component equals the term.
  private static final String SEARCH = """
      with matched as (
        select r.name, coalesce(r.description, r.title, '') as description,
               case when lower(r.name) = lower($1) or lower(regexp_replace(r.name, '^.*/', '')) = lower($1) then 0
                    when lower(r.name) like lower($2) || '%' escape '\\'
                      or lower(regexp_replace(r.name, '^.*/', '')) like lower($2) || '%' escape '\\' then 1
                    when lower(r.name) like '%' || lower($2) || '%' escape '\\' then 2
                    else 3 end as rank,
               ts_rank(r.search_document, plainto_tsquery('simple', $1)) as relevance
        from repository r
        where lower(r.name) like '%' || lower($2) || '%' escape '\\'
           or r.search_document @@ plainto_tsquery('simple', $1))
      select name, description, count(*) over () as total
      from matched
      order by rank, relevance desc, name
      limit $3 offset $4""";

  private static final String CATALOG = """
      select name from repository where ($1::text is null or name > $1) order by name limit $2""";

  private static final String REPOSITORY_EXISTS = "select id from repository where name = $1";

  private static final String TAGS = """
      select name from tag where repository_id = $1 and ($2::text is null or name > $2) order by name limit $3""";

  private final Pool pool;

  public SearchReader(Pool pool) {
    this.pool = pool;
  }

  public Future<Hits> search(SearchRequest request) {
    Tuple params = Tuple.of(request.term(), likeEscaped(request.term()), request.pageSize(),
        (request.page() - 1) * request.pageSize());
    return pool.preparedQuery(SEARCH).execute(params).map(rows -> {
      List<Hit> hits = new ArrayList<>();
      long total = 0;
      for (Row row : rows) {
        hits.add(new Hit(row.getString(0), row.getString(1)));
        total = row.getLong(2);
      }
      return new Hits(hits, total);
    });
  }

  public Future<Names> catalog(PageRequest page) {
    return pool.preparedQuery(CATALOG).execute(Tuple.of(page.last(), page.n() + 1)).map(rows -> names(rows, page));
  }

  /** The repository's tags, or null when the repository is not in the index. */
  public Future<Names> tags(String repository, PageRequest page) {
    return pool.preparedQuery(REPOSITORY_EXISTS).execute(Tuple.of(repository)).compose(found -> {
      if (found.size() == 0) {
        return Future.succeededFuture(null);
      }
      long id = found.iterator().next().getLong(0);
      return pool.preparedQuery(TAGS).execute(Tuple.of(id, page.last(), page.n() + 1)).map(rows -> names(rows, page));
    });
  }

  private static Names names(Iterable<Row> rows, PageRequest page) {
    List<String> names = new ArrayList<>();
    for (Row row : rows) {
      names.add(row.getString(0));
    }
    boolean more = names.size() > page.n();
    return new Names(more ? names.subList(0, page.n()) : names, more);
  }

  static String likeEscaped(String term) {
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
