package org.flagstate.api;

import org.flagstate.http.Bytewise;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.flagstate.db.SqlStatement;
import org.flagstate.search.RepositoryMatch;

/**
 * All SQL of the JSON API. Repositories are listed and paged by name with {@code COLLATE "C"} (bytewise)
 * keyset paging; matching, counting and facets run in PostgreSQL. A repository's title, description and
 * icon are the columns the crawler stored (registry/ImageText's rules, from its representative tag), and
 * search text matches as {@code /v1/search} does ({@link RepositoryMatch}).
 */
final class ApiReader {

  /** A repository as the listing shows it; {@code title}, {@code description} and {@code icon} may be null. */
  record RepositorySummary(String name, long tagCount, OffsetDateTime lastUpdated, String title, String description,
      String icon) {}

  /** One page of repositories, the size of the whole set, and the name the next page starts after (or null). */
  record RepositoryPage(List<RepositorySummary> repositories, long total, String nextAfter) {}

  /**
   * A page of search results with the facet counts (value → repositories): over the whole match set, or, when
   * {@code facetsCapped}, over its first {@link #FACET_LIMIT} repositories in name order.
   */
  record SearchPage(RepositoryPage page, Map<String, Map<String, Long>> facets, boolean facetsCapped) {}

  /**
   * Facets count at most this many matching repositories (the first in name order, the order of the pages), so
   * a search costs the same whether it matches a thousand repositories or all of them. The total stays exact.
   */
  static final int FACET_LIMIT = 1000;

  /** The facets of {@code /api/v1/search}, in the order they are written; a facet token names one before ':'. */
  private static final List<String> FACETS = List.of("architecture", "os", "label", "mediaType");

  /** A stored manifest; platform, created and the config/layer sizes are null when unknown. */
  record Manifest(String digest, String mediaType, boolean isList, String os, String architecture, String variant,
      String created, long size, Long configSize, Long layersSize, JsonObject labels, JsonObject annotations) {}

  /** A member of a list, with the platform the list claims for it. */
  record Member(Manifest manifest, String platformOs, String platformArchitecture, String platformVariant) {}

  /** A tag, the manifest it points to and, for a list, its members in manifest order. */
  record Tag(String name, OffsetDateTime updatedAt, Manifest manifest, List<Member> members) {}

  /** A repository with all its tags, in bytewise tag order. */
  record RepositoryDetail(RepositorySummary summary, List<Tag> tags) {}

  /** Where a digest is tagged: directly ({@code listDigest} null) or as a member of a tagged list. */
  record Holder(String repository, String tag, String listDigest, String listMediaType) {}

  /** A manifest, its members when it is a list, and every tag that holds it. */
  record DigestUsage(Manifest manifest, List<Member> members, List<Holder> holders) {}

  private static final String HAS_TAGS = RepositoryMatch.hasTags("r");

  /** A summary's columns, over a row {@code r} with id, name, title, description and icon, and {@code s}. */
  private static final String SUMMARY_COLUMNS = "r.name, s.tag_count, s.last_updated, r.title, r.description, r.icon";

  private static final String SUMMARY_JOINS = " " + """
      cross join lateral (select count(*) as tag_count, max(t.updated_at) as last_updated
                          from tag t where t.repository_id = r.id) s""";

  private static final String COUNT_REPOSITORIES = "select count(*) from repository r where " + HAS_TAGS;

  private static final String REPOSITORY = "select " + SUMMARY_COLUMNS + " from repository r" + SUMMARY_JOINS
      + " where r.name = $1 and " + HAS_TAGS;

  private static final String REPOSITORY_EXISTS = "select 1 from repository r where r.name = $1 and " + HAS_TAGS;

  private static final String MANIFEST_COLUMNS = """
      m.digest, m.media_type, m.is_list, m.os, m.architecture, m.variant, m.created, m.size, m.config_size,
      m.layers_size, m.labels, m.annotations""";

  private static final String TAGS = "select t.name, t.updated_at, " + MANIFEST_COLUMNS + """

      from tag t join repository r on r.id = t.repository_id join manifest m on m.digest = t.digest
      where r.name = $1 order by t.name""";

  private static final String MEMBERS_COLUMNS = "select lm.list_digest, lm.platform_os, lm.platform_architecture, "
      + "lm.platform_variant, " + MANIFEST_COLUMNS + """

      from list_member lm join manifest m on m.digest = lm.member_digest""";

  private static final String MEMBERS_OF_REPOSITORY = MEMBERS_COLUMNS + """

      where lm.list_digest in (select t.digest from tag t join repository r on r.id = t.repository_id where r.name = $1)
      order by lm.list_digest, lm.position""";

  private static final String MEMBERS_OF_LIST = MEMBERS_COLUMNS + " where lm.list_digest = $1 order by lm.position";

  private static final String MANIFEST = "select " + MANIFEST_COLUMNS + " from manifest m where m.digest = $1";

  private static final String DIGEST_HELD = """
      select exists (select 1 from tag where digest = $1)
          or exists (select 1 from list_member lm join tag t on t.digest = lm.list_digest where lm.member_digest = $1)""";

  private static final String HOLDERS = """
      select r.name, t.name, null::text, null::text
      from tag t join repository r on r.id = t.repository_id
      where t.digest = $1
      union
      select r.name, t.name, l.digest, l.media_type
      from list_member lm join manifest l on l.digest = lm.list_digest
      join tag t on t.digest = l.digest join repository r on r.id = t.repository_id
      where lm.member_digest = $1""";

  private final Pool pool;

  ApiReader(Pool pool) {
    this.pool = pool;
  }

  /** A page of all repositories that have tags, and how many there are. */
  Future<RepositoryPage> repositories(ApiPage page) {
    SqlStatement s = new SqlStatement();
    s.append("select ").append(SUMMARY_COLUMNS)
        .append(" from (select r.id, r.name, r.title, r.description, r.icon from repository r where ")
        .append(HAS_TAGS);
    if (page.after() != null) {
      s.append(" and r.name > ").append(s.param(page.after()));
    }
    s.append(" order by r.name limit ").append(s.param(page.limit() + 1)).append(") r").append(SUMMARY_JOINS)
        .append(" order by r.name");
    Future<List<RepositorySummary>> rows = s.execute(pool).map(ApiReader::summaries);
    Future<Long> total = pool.query(COUNT_REPOSITORIES).execute().map(result -> result.iterator().next().getLong(0));
    return Future.all(rows, total).map(done -> page(rows.result(), total.result(), page));
  }

  /**
   * A page of the repositories matching {@code search}, its exact total, and the facets of the match set (of its
   * first {@link #FACET_LIMIT} repositories when it is larger). Every facet value a repository's images have is
   * kept on its row ({@code repository.facets}, V6), so counting reads one row per counted repository.
   */
  Future<SearchPage> search(RepositorySearch search) {
    SqlStatement rows = new SqlStatement();
    String matches = matches(rows, search);
    rows.append("select ").append(SUMMARY_COLUMNS)
        .append(" from (select r.id, r.name, r.title, r.description, r.icon from repository r where ").append(matches);
    if (search.page().after() != null) {
      rows.append(" and r.name > ").append(rows.param(search.page().after()));
    }
    rows.append(" order by r.name limit ").append(rows.param(search.page().limit() + 1)).append(") r")
        .append(SUMMARY_JOINS).append(" order by r.name");

    SqlStatement counts = new SqlStatement();
    String matched = matches(counts, search);
    counts.append("select null::text, count(*) from repository r where ").append(matched)
        .append(" union all select f.token, count(*) from (select r.facets from repository r where ").append(matched)
        .append(" order by r.name limit ").append(counts.param(FACET_LIMIT))
        .append(") capped cross join lateral unnest(capped.facets) as f(token) group by f.token");

    Future<List<RepositorySummary>> summaries = rows.execute(pool).map(ApiReader::summaries);
    Future<RowSet<Row>> tokens = counts.execute(pool);
    return Future.all(summaries, tokens).map(done -> {
      Map<String, Map<String, Long>> byFacet = new LinkedHashMap<>();
      for (String facet : FACETS) {
        byFacet.put(facet, new java.util.TreeMap<>(Bytewise.ORDER));
      }
      long total = 0;
      for (Row row : tokens.result()) {
        String token = row.getString(0);
        if (token == null) {
          total = row.getLong(1);
          continue;
        }
        int colon = token.indexOf(':');
        Map<String, Long> facet = colon < 0 ? null : byFacet.get(token.substring(0, colon));
        if (facet != null) {
          facet.put(token.substring(colon + 1), row.getLong(1));
        }
      }
      return new SearchPage(page(summaries.result(), total, search.page()), byFacet, total > FACET_LIMIT);
    });
  }

  /**
   * SQL: repository {@code r} matches {@code search} (its parameters added to {@code s}). The text matches as
   * {@code /v1/search}'s; each image filter is an overlap with the repository's facet tokens (GIN-indexed), which
   * is exact for a filter on one facet. With filters on more than one facet, one image must satisfy all of them:
   * the repository has a {@code repository_image} token set (one per distinct image) that overlaps every filter.
   */
  private static String matches(SqlStatement s, RepositorySearch search) {
    StringBuilder sql = new StringBuilder(search.text() != null
        ? RepositoryMatch.of(search.text()).bind(s).condition("r") : HAS_TAGS);
    List<String> filters = new ArrayList<>();
    for (var filter : List.of(Map.entry("architecture", search.architectures()), Map.entry("os", search.oses()),
        Map.entry("label", search.labels()), Map.entry("mediaType", search.mediaTypes()))) {
      if (!filter.getValue().isEmpty()) {
        filters.add(s.param(filter.getValue().stream().map(value -> filter.getKey() + ":" + value).toList())
            + "::text[]");
      }
    }
    for (String tokens : filters) {
      sql.append(" and r.facets && ").append(tokens);
    }
    if (filters.size() > 1) {
      sql.append(" and r.id in (select i.repository_id from repository_image i where ")
          .append(String.join(" and ", filters.stream().map(tokens -> "i.tokens && " + tokens).toList()))
          .append(")");
    }
    return sql.toString();
  }

  /** True when the repository is in the index (has at least one tag). */
  Future<Boolean> repositoryExists(String name) {
    return pool.preparedQuery(REPOSITORY_EXISTS).execute(Tuple.of(name)).map(rows -> rows.size() > 0);
  }

  /** The repository with its tags and list members, or null when it left the index meanwhile. */
  Future<RepositoryDetail> repository(String name) {
    Future<List<RepositorySummary>> summary = pool.preparedQuery(REPOSITORY).execute(Tuple.of(name))
        .map(ApiReader::summaries);
    Future<List<Row>> tags = rows(TAGS, name);
    Future<Map<String, List<Member>>> members = rows(MEMBERS_OF_REPOSITORY, name).map(ApiReader::membersByList);
    return Future.all(summary, tags, members).map(done -> {
      if (summary.result().isEmpty()) {
        return null;
      }
      List<Tag> result = new ArrayList<>();
      for (Row row : tags.result()) {
        Manifest manifest = manifest(row, 2);
        result.add(new Tag(row.getString(0), row.getOffsetDateTime(1), manifest,
            manifest.isList() ? members.result().getOrDefault(manifest.digest(), List.of()) : List.of()));
      }
      return new RepositoryDetail(summary.result().get(0), result);
    });
  }

  /** True when a tag holds the digest, directly or as a member of a tagged list. */
  Future<Boolean> digestHeld(String digest) {
    return pool.preparedQuery(DIGEST_HELD).execute(Tuple.of(digest)).map(rows -> rows.iterator().next().getBoolean(0));
  }

  /** The manifest and everything that holds it, or null when nothing does (any more). */
  Future<DigestUsage> digest(String digest) {
    Future<List<Row>> manifest = rows(MANIFEST, digest);
    Future<List<Member>> members = rows(MEMBERS_OF_LIST, digest)
        .map(rows -> membersByList(rows).getOrDefault(digest, List.of()));
    Future<List<Holder>> holders = rows(HOLDERS, digest).map(rows -> rows.stream()
        .map(row -> new Holder(row.getString(0), row.getString(1), row.getString(2), row.getString(3))).toList());
    return Future.all(manifest, members, holders).map(done -> manifest.result().isEmpty() || holders.result().isEmpty()
        ? null
        : new DigestUsage(manifest(manifest.result().get(0), 0), members.result(), holders.result()));
  }

  private Future<List<Row>> rows(String sql, String parameter) {
    return pool.preparedQuery(sql).execute(Tuple.of(parameter)).map(rows -> {
      List<Row> list = new ArrayList<>();
      rows.forEach(list::add);
      return list;
    });
  }

  private static RepositoryPage page(List<RepositorySummary> rows, long total, ApiPage page) {
    boolean more = rows.size() > page.limit();
    List<RepositorySummary> shown = more ? rows.subList(0, page.limit()) : rows;
    return new RepositoryPage(List.copyOf(shown), total, more ? shown.get(shown.size() - 1).name() : null);
  }

  private static List<RepositorySummary> summaries(Iterable<Row> rows) {
    List<RepositorySummary> result = new ArrayList<>();
    for (Row row : rows) {
      result.add(new RepositorySummary(row.getString(0), row.getLong(1), row.getOffsetDateTime(2), row.getString(3),
          row.getString(4), row.getString(5)));
    }
    return result;
  }

  private static Map<String, List<Member>> membersByList(List<Row> rows) {
    return rows.stream().collect(Collectors.groupingBy(row -> row.getString(0), LinkedHashMap::new,
        Collectors.mapping(row -> new Member(manifest(row, 4), row.getString(1), row.getString(2), row.getString(3)),
            Collectors.toList())));
  }

  private static Manifest manifest(Row row, int first) {
    return new Manifest(row.getString(first), row.getString(first + 1), row.getBoolean(first + 2),
        row.getString(first + 3), row.getString(first + 4), row.getString(first + 5), row.getString(first + 6),
        row.getLong(first + 7), row.getLong(first + 8), row.getLong(first + 9), json(row, first + 10),
        json(row, first + 11));
  }

  private static JsonObject json(Row row, int column) {
    return row.getValue(column) instanceof JsonObject object ? object : new JsonObject();
  }
}
