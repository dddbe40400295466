package org.flagstate.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.flagstate.cache.SearchMemo;
import org.flagstate.db.SqlStatement;
import org.flagstate.http.Bytewise;
import org.flagstate.search.RepositoryMatch;
import org.flagstate.search.SearchReader;
import org.flagstate.search.TextMatches;

/**
 * All SQL of the JSON API, also read by the web UI so its pages show exactly what the API serves.
 * Repositories are listed and paged by name with {@code COLLATE "C"} (bytewise) keyset paging. A
 * search text is matched in PostgreSQL once per index generation, in the same reading as {@code
 * /v1/search} ({@link TextMatches}); its matches are filtered, counted and paged through the
 * index's {@link FacetGroups} in Java (a search without text is counted there and paged in SQL), or
 * all of it in SQL when an index is too varied for the groups to be kept. A repository's title,
 * description and icon are the columns the crawler stored (registry/ImageText's rules, from its
 * representative tag).
 */
public final class ApiReader {

  /**
   * A repository as the listing shows it; {@code title}, {@code description} and {@code icon} may
   * be null. {@code changedMillis} is when its tags last changed.
   */
  public record RepositorySummary(
      String name,
      long tagCount,
      OffsetDateTime lastUpdated,
      String title,
      String description,
      String icon,
      long changedMillis) {}

  /**
   * One page of repositories, the size of the whole set, the name the next page starts after (or
   * null), and when the data of the answer last changed: a repository of the whole set (its total
   * moves with any of them), or a removal from the index; 0 when unknown.
   */
  public record RepositoryPage(
      List<RepositorySummary> repositories,
      long total,
      String nextAfter,
      long lastModifiedMillis) {}

  /**
   * A page of search results with the facet counts (value → repositories) over the whole match set;
   * {@code facetsEstimated} when they were scaled from a sample ({@link #FACETS_EXACT_UP_TO}).
   */
  public record SearchPage(
      RepositoryPage page, Map<String, Map<String, Long>> facets, boolean facetsEstimated) {}

  /** A stored manifest; platform, created and the config/layer sizes are null when unknown. */
  public record Manifest(
      String digest,
      String mediaType,
      boolean isList,
      String os,
      String architecture,
      String variant,
      String created,
      long size,
      Long configSize,
      Long layersSize,
      JsonObject labels,
      JsonObject annotations) {}

  /** A member of a list, with the platform the list claims for it. */
  public record Member(
      Manifest manifest, String platformOs, String platformArchitecture, String platformVariant) {}

  /** A tag, the manifest it points to and, for a list, its members in manifest order. */
  public record Tag(
      String name, OffsetDateTime updatedAt, Manifest manifest, List<Member> members) {}

  /** A repository with all its tags, in bytewise tag order. */
  public record RepositoryDetail(RepositorySummary summary, List<Tag> tags) {}

  /**
   * Where a digest is tagged: directly ({@code listDigest} null) or as a member of a tagged list.
   */
  public record Holder(String repository, String tag, String listDigest, String listMediaType) {}

  /** A manifest, its members when it is a list, and every tag that holds it. */
  public record DigestUsage(Manifest manifest, List<Member> members, List<Holder> holders) {}

  private static final String HAS_TAGS = RepositoryMatch.hasTags("r");

  /**
   * A summary's columns, over a row {@code r} with id, name, title, description and icon, and
   * {@code s}.
   */
  private static final String SUMMARY_COLUMNS =
      "r.name, s.tag_count, s.last_updated, r.title, r.description, r.icon," + " r.changed_at";

  private static final String SUMMARY_JOINS =
      " "
          + """
      cross join lateral (select count(*) as tag_count, max(t.updated_at) as last_updated
                          from tag t where t.repository_id = r.id) s""";

  /** How many repositories are listed, and when the listing's data last changed. */
  private static final String COUNT_REPOSITORIES =
      "select count(*), "
          + RepositoryMatch.lastModified("max(r.changed_at)")
          + " from repository r where "
          + HAS_TAGS;

  private static final String REPOSITORY =
      "select "
          + SUMMARY_COLUMNS
          + " from repository r"
          + SUMMARY_JOINS
          + " where r.name = $1 and "
          + HAS_TAGS;

  private static final String REPOSITORY_EXISTS =
      "select 1 from repository r where r.name = $1 and " + HAS_TAGS;

  private static final String MANIFEST_COLUMNS =
      """
      m.digest, m.media_type, m.is_list, m.os, m.architecture, m.variant, m.created, m.size, m.config_size,
      m.layers_size, m.labels, m.annotations""";

  private static final String TAGS =
      "select t.name, t.updated_at, "
          + MANIFEST_COLUMNS
          + """

      from tag t join repository r on r.id = t.repository_id join manifest m on m.digest = t.digest
      where r.name = $1 order by t.name""";

  private static final String MEMBERS_COLUMNS =
      "select lm.list_digest, lm.platform_os, lm.platform_architecture, "
          + "lm.platform_variant, "
          + MANIFEST_COLUMNS
          + """

      from list_member lm join manifest m on m.digest = lm.member_digest""";

  private static final String MEMBERS_OF_REPOSITORY =
      MEMBERS_COLUMNS
          + """

      where lm.list_digest in (select t.digest from tag t join repository r on r.id = t.repository_id where r.name = $1)
      order by lm.list_digest, lm.position""";

  private static final String MEMBERS_OF_LIST =
      MEMBERS_COLUMNS + " where lm.list_digest = $1 order by lm.position";

  private static final String MANIFEST =
      "select " + MANIFEST_COLUMNS + " from manifest m where m.digest = $1";

  private static final String DIGEST_HELD =
      """
      select exists (select 1 from tag where digest = $1)
          or exists (select 1 from list_member lm join tag t on t.digest = lm.list_digest where lm.member_digest = $1)""";

  private static final String HOLDERS =
      """
      select r.name, t.name, null::text, null::text
      from tag t join repository r on r.id = t.repository_id
      where t.digest = $1
      union
      select r.name, t.name, l.digest, l.media_type
      from list_member lm join manifest l on l.digest = lm.list_digest
      join tag t on t.digest = l.digest join repository r on r.id = t.repository_id
      where lm.member_digest = $1""";

  /**
   * Facets are counted over every match up to this many; over a larger match set, over a sample of
   * about this many (chosen by a hash of the repository id, so the same on every node and request)
   * and scaled to the total. Counting reads each counted repository's tokens: 168,800 of them took
   * 66 ms at 20,000 matches.
   */
  static final int FACETS_EXACT_UP_TO = 2_000;

  /**
   * Facet counts over {@code matched} (id, name, changed_at): the architecture, os, label,
   * mediaType and kind tokens a repository's images have (their ids on its {@code
   * tagged_repository} row, V10), each counted once per repository (grouped by id, named after),
   * and namespaces, over {@code sample} (all matches up to {@link #FACETS_EXACT_UP_TO}); the total,
   * the sample's size, and when the match set last changed.
   */
  private static final String FACETS =
      """
      , size as (select count(*) as n, greatest(1, (count(*) + %1$d - 1) / %1$d) as step from matched)
      , sample as (select x.id, x.name from matched x, size where abs(hashint8(x.id)::bigint) %% size.step = 0)
      -- each sampled row's tokens looked up by id: a join hashed every row first
      , tokens as (select f.id, count(*) as n
                   from sample x cross join lateral unnest((select t.tokens from tagged_repository t where t.id = x.id)) f(id)
                   group by 1)
      select split_part(t.token, ':', 1), substr(t.token, strpos(t.token, ':') + 1), c.n
      from tokens c join facet_token t on t.id = c.id
      union all
      select 'namespace', split_part(x.name, '/', 1), count(*) from sample x where strpos(x.name, '/') > 0 group by 2
      union all
      select 'total', null, n from size
      union all
      select 'sample', null, count(*) from sample
      union all
      select 'lastModified', null,
             (extract(epoch from %2$s) * 1000)::bigint
      from matched x"""
          .formatted(FACETS_EXACT_UP_TO, RepositoryMatch.lastModified("max(x.changed_at)"));

  /** The summaries of repositories by id, in name order; one that left the index is left out. */
  private static final String SUMMARIES_BY_ID =
      "select "
          + SUMMARY_COLUMNS
          + " from (select r.id, r.name, r.title, r.description, r.icon, r.changed_at"
          + " from repository r where r.id = any($1::bigint[]) and "
          + HAS_TAGS
          + ") r"
          + SUMMARY_JOINS
          + " order by r.name";

  /** Columns of {@code matched} for a page of summaries (read from {@code repository} after). */
  private static final String PAGE_COLUMNS = "r.id, r.name";

  /** Columns of {@code matched} for the facets. */
  private static final String FACET_COLUMNS = "r.id, r.name, r.changed_at";

  private final Pool pool;
  private final SearchMemo memo;
  private final SearchReader texts;
  private final int maxFacetGroups;

  /**
   * @param memo the node's remembered searches, where the facet counts of a match set are kept
   */
  public ApiReader(Pool pool, SearchMemo memo) {
    this(pool, memo, FacetGroups.MAX_GROUPS);
  }

  /**
   * @param maxFacetGroups the most {@link FacetGroups} kept; with more, counts are made in SQL
   */
  ApiReader(Pool pool, SearchMemo memo, int maxFacetGroups) {
    this.pool = pool;
    this.memo = memo;
    this.texts = new SearchReader(pool, memo);
    this.maxFacetGroups = maxFacetGroups;
  }

  /** A page of all repositories that have tags, and how many there are. */
  public Future<RepositoryPage> repositories(ApiPage page) {
    SqlStatement s = new SqlStatement();
    s.append("select ")
        .append(SUMMARY_COLUMNS)
        .append(
            " from (select r.id, r.name, r.title, r.description, r.icon, r.changed_at from repository r where ")
        .append(HAS_TAGS);
    if (page.after() != null) {
      s.append(" and r.name > ").append(s.param(page.after()));
    }
    s.append(" order by r.name limit ")
        .append(s.param(page.limit() + 1))
        .append(") r")
        .append(SUMMARY_JOINS)
        .append(" order by r.name");
    Future<List<RepositorySummary>> rows = s.execute(pool).map(ApiReader::summaries);
    Future<Row> total =
        pool.query(COUNT_REPOSITORIES).execute().map(result -> result.iterator().next());
    return Future.all(rows, total)
        .map(
            done ->
                page(
                    rows.result(),
                    total.result().getLong(0),
                    millis(total.result().getOffsetDateTime(1)),
                    page));
  }

  /**
   * A page of the repositories matching {@code search}, with the total and facets of the whole
   * match set.
   */
  public Future<SearchPage> search(RepositorySearch search) {
    if (search.text() == null) {
      return rowsOf(search).compose(source -> search(search, source));
    }
    Future<FacetGroups> groups = facetGroups();
    Future<TextMatches> matches = texts.textMatchSet(search.text());
    return Future.all(groups, matches)
        .compose(
            done ->
                groups.result().tooMany()
                    ? search(search, MatchedRows.REPOSITORY)
                    : search(search, groups.result(), matches.result()));
  }

  /**
   * A page of the text's {@code matches} that pass {@code search}'s other filters, and their
   * counts, from the groups: only the page's rows are read.
   */
  private Future<SearchPage> search(
      RepositorySearch search, FacetGroups groups, TextMatches matches) {
    int[] places = groups.places(matches, groups.passing(search));
    MatchSetCounts counts = groups.count(places);
    FacetGroups.Members members = groups.members();
    int from = Arrays.binarySearch(places, members.firstAfter(search.page().after()));
    from = from < 0 ? -from - 1 : from;
    int to = Math.min(places.length, from + search.page().limit());
    List<Long> shown = new ArrayList<>();
    for (int i = from; i < to; i++) {
      shown.add(members.id(places[i]));
    }
    String after = to < places.length ? members.name(places[to - 1]) : null;
    Future<List<RepositorySummary>> summaries =
        shown.isEmpty()
            ? Future.succeededFuture(List.of())
            : pool.preparedQuery(SUMMARIES_BY_ID)
                .execute(Tuple.of(shown.toArray(Long[]::new)))
                .map(ApiReader::summaries);
    return summaries.map(
        rows ->
            new SearchPage(
                new RepositoryPage(
                    List.copyOf(rows), counts.total(), after, counts.lastModifiedMillis()),
                counts.facets(),
                counts.estimated()));
  }

  private Future<SearchPage> search(RepositorySearch search, MatchedRows source) {
    SqlStatement rows = matched(search, PAGE_COLUMNS, source);
    rows.append(" select ").append(SUMMARY_COLUMNS).append(" from (select x.id from matched x");
    if (search.page().after() != null) {
      rows.append(" where x.name > ").append(rows.param(search.page().after()));
    }
    rows.append(" order by x.name limit ")
        .append(rows.param(search.page().limit() + 1))
        .append(") p join repository r on r.id = p.id")
        .append(SUMMARY_JOINS)
        .append(" order by r.name");
    Future<List<RepositorySummary>> summaries = run(rows, search).map(ApiReader::summaries);
    Future<MatchSetCounts> counts = counts(search, source);
    return Future.all(summaries, counts)
        .map(
            done ->
                new SearchPage(
                    page(
                        summaries.result(),
                        counts.result().total(),
                        counts.result().lastModifiedMillis(),
                        search.page()),
                    counts.result().facets(),
                    counts.result().estimated()));
  }

  /**
   * The counts of {@code search}'s match set: without a text, from the index's {@link FacetGroups};
   * else, or when the groups are not kept, counted in SQL (and remembered).
   */
  private Future<MatchSetCounts> counts(RepositorySearch search, MatchedRows source) {
    if (search.text() != null) {
      return countedInSql(search, source);
    }
    return facetGroups()
        .compose(
            groups ->
                groups.tooMany()
                    ? countedInSql(search, source)
                    : Future.succeededFuture(groups.count(search)));
  }

  /**
   * The index's facet groups, read once per index generation; none when it has more than {@code
   * maxFacetGroups}, or they would take more than a quarter of the memo (which might not keep them,
   * and every search would read them again).
   */
  private Future<FacetGroups> facetGroups() {
    return memo.rememberedForIndex(
        "facet groups",
        FacetGroups.class,
        () ->
            pool.preparedQuery(FacetGroups.SQL)
                .execute(Tuple.of(maxFacetGroups + 1))
                .map(rows -> FacetGroups.of(rows, maxFacetGroups))
                .map(groups -> groups.bytes() > memo.maxBytes() / 4 ? groups.none() : groups));
  }

  private Future<MatchSetCounts> countedInSql(RepositorySearch search, MatchedRows source) {
    return memo.remembered(
        "facets " + search.matchSetKey(),
        MatchSetCounts.class,
        () -> countInSql(search, source),
        MatchSetCounts::bytes);
  }

  private Future<MatchSetCounts> countInSql(RepositorySearch search, MatchedRows source) {
    SqlStatement facets = matched(search, FACET_COLUMNS, source);
    facets.append(FACETS);
    return run(facets, search)
        .map(
            result -> {
              Map<String, Map<String, Long>> byFacet = new LinkedHashMap<>();
              for (String facet : MatchSetCounts.FACETS) {
                byFacet.put(facet, new TreeMap<>(Bytewise.ORDER));
              }
              long total = 0;
              long sample = 0;
              long lastModified = 0;
              for (Row row : result) {
                String facet = row.getString(0);
                if (facet.equals("total")) {
                  total = row.getLong(2);
                } else if (facet.equals("sample")) {
                  sample = row.getLong(2);
                } else if (facet.equals("lastModified")) {
                  lastModified = row.getLong(2) == null ? 0 : row.getLong(2);
                } else if (byFacet.containsKey(facet)) {
                  byFacet.get(facet).put(row.getString(1), row.getLong(2));
                }
              }
              boolean estimated = sample < total;
              if (estimated) {
                double scale = (double) total / sample;
                byFacet
                    .values()
                    .forEach(counts -> counts.replaceAll((value, n) -> Math.round(n * scale)));
              }
              byFacet.replaceAll((facet, counts) -> Collections.unmodifiableMap(counts));
              return new MatchSetCounts(
                  Collections.unmodifiableMap(byFacet), estimated, total, lastModified);
            });
  }

  /** A statement matching a text goes through the indexes (see {@link SqlStatement}). */
  private Future<RowSet<Row>> run(SqlStatement statement, RepositorySearch search) {
    return search.text() == null ? statement.execute(pool) : statement.executeThroughIndexes(pool);
  }

  /**
   * The rows a match set is read from. A text is matched on {@code repository} (its search
   * columns); without one, the narrow {@code tagged_repository} rows are read (V10), which hold a
   * repository's tokens as ids of {@code facet_token}: those of a filter are bound as values, so
   * each statement is planned for how many repositories have them.
   *
   * @param tokenIds facet_token's ids by token; null for {@code repository}
   */
  private record MatchedRows(
      String from, String tokens, String commonTokens, Map<String, Integer> tokenIds) {

    static final MatchedRows REPOSITORY =
        new MatchedRows("repository r where " + HAS_TAGS, "r.facets", "r.common_facets", null);

    static MatchedRows tagged(FacetTokenIds ids) {
      return new MatchedRows(
          "tagged_repository r where true", "r.tokens", "r.common_tokens", ids.byToken());
    }

    /** SQL of the set of {@code tokens} in this source's form; a token no image has is left out. */
    String tokenSet(SqlStatement s, List<String> tokens) {
      if (tokenIds == null) {
        return imageTokenSet(s, tokens);
      }
      Integer[] ids =
          tokens.stream().map(tokenIds::get).filter(Objects::nonNull).toArray(Integer[]::new);
      return s.param(ids) + "::int[]";
    }
  }

  /** Every token an image had, with its id in {@code facet_token}. */
  private record FacetTokenIds(Map<String, Integer> byToken) {

    static FacetTokenIds of(RowSet<Row> rows) {
      Map<String, Integer> byToken = new HashMap<>();
      rows.forEach(row -> byToken.put(row.getString(0), row.getInteger(1)));
      return new FacetTokenIds(Map.copyOf(byToken));
    }
  }

  /** Where {@code search}'s match set is read from (see {@link MatchedRows}). */
  private Future<MatchedRows> rowsOf(RepositorySearch search) {
    if (search.text() != null) {
      return Future.succeededFuture(MatchedRows.REPOSITORY);
    }
    return facetTokenIds().map(MatchedRows::tagged);
  }

  /** Every token an image had, with its id, read once per index generation. */
  private Future<FacetTokenIds> facetTokenIds() {
    return memo.rememberedForIndex(
        "facet token ids",
        FacetTokenIds.class,
        () -> pool.query("select token, id from facet_token").execute().map(FacetTokenIds::of));
  }

  /**
   * Reads what every search starts from (the facet token ids, the facet groups, the text index a
   * text's matches are found and ranked with) into the memo, unless it holds them for the index as
   * it is, so that no search waits for them.
   */
  public Future<Void> prepareSearches() {
    return facetTokenIds()
        .compose(ids -> facetGroups())
        .compose(groups -> texts.prepareTextIndex());
  }

  /** SQL of the set of {@code tokens} as {@code repository_image} holds them. */
  private static String imageTokenSet(SqlStatement s, List<String> tokens) {
    return s.param(tokens) + "::text[]";
  }

  /** One image filter: its {@code facet:value} tokens, and their set in the source's form (SQL). */
  private record TokenFilter(List<String> tokens, String set) {}

  /**
   * {@code with matched}: {@code columns} of the repositories {@code search} matches, read from
   * {@code source} ({@link MatchedRows#REPOSITORY} when there is a text, matched as {@code
   * /v1/search} matches it). Each image filter is an overlap with the repository's tokens (a GIN
   * index); two or more must also hold together for one image: one token set of {@code
   * repository_image}, looked up only when the images differ in more than one of the filtered
   * facets (its common tokens, V9).
   */
  private SqlStatement matched(RepositorySearch search, String columns, MatchedRows source) {
    SqlStatement s = new SqlStatement();
    s.append("with matched as (select ").append(columns).append(" from ").append(source.from);
    if (search.text() != null) {
      s.append(" and ").append(RepositoryMatch.of(search.text()).bind(s).condition("r"));
    }
    if (!search.namespaces().isEmpty()) {
      // the names in a namespace are those from "ns/" up to "ns0" ('0' follows '/' bytewise):
      // ranges of the name index, where a test per name read every repository
      s.append(" and (")
          .append(
              search.namespaces().stream()
                  .map(
                      namespace ->
                          "(r.name >= "
                              + s.param(namespace + "/")
                              + "::text and r.name < "
                              + s.param(namespace + "0")
                              + "::text)")
                  .collect(Collectors.joining(" or ")))
          .append(")");
    }
    List<TokenFilter> filters = new ArrayList<>();
    for (List<String> tokens : search.imageFilterTokens()) {
      // each image filter an overlap with the repository's tokens
      TokenFilter filter = new TokenFilter(tokens, source.tokenSet(s, tokens));
      s.append(" and ").append(source.tokens).append(" && ").append(filter.set());
      filters.add(filter);
    }
    if (filters.size() > 1) {
      // every image meets the filters its common tokens meet (V9), so with one filter left
      // some image meets them all; else look for one image that does
      s.append(" and (")
          .append(
              filters.stream()
                  .map(filter -> "(not " + source.commonTokens + " && " + filter.set() + ")::int")
                  .collect(Collectors.joining(" + ")))
          .append(" <= 1 or exists (select 1 from repository_image i where i.repository_id = r.id");
      for (TokenFilter filter : filters) {
        s.append(" and i.tokens && ")
            .append(
                source == MatchedRows.REPOSITORY
                    ? filter.set()
                    : imageTokenSet(s, filter.tokens()));
      }
      s.append("))");
    }
    s.append(")");
    return s;
  }

  /** True when the repository is in the index (has at least one tag). */
  public Future<Boolean> repositoryExists(String name) {
    return pool.preparedQuery(REPOSITORY_EXISTS)
        .execute(Tuple.of(name))
        .map(rows -> rows.size() > 0);
  }

  /** The repository with its tags and list members, or null when it left the index meanwhile. */
  public Future<RepositoryDetail> repository(String name) {
    Future<List<RepositorySummary>> summary =
        pool.preparedQuery(REPOSITORY).execute(Tuple.of(name)).map(ApiReader::summaries);
    Future<List<Row>> tags = rows(TAGS, name);
    Future<Map<String, List<Member>>> members =
        rows(MEMBERS_OF_REPOSITORY, name).map(ApiReader::membersByList);
    return Future.all(summary, tags, members)
        .map(
            done -> {
              if (summary.result().isEmpty()) {
                return null;
              }
              List<Tag> result = new ArrayList<>();
              for (Row row : tags.result()) {
                Manifest manifest = manifest(row, 2);
                result.add(
                    new Tag(
                        row.getString(0),
                        row.getOffsetDateTime(1),
                        manifest,
                        manifest.isList()
                            ? members.result().getOrDefault(manifest.digest(), List.of())
                            : List.of()));
              }
              return new RepositoryDetail(summary.result().get(0), result);
            });
  }

  /** True when a tag holds the digest, directly or as a member of a tagged list. */
  Future<Boolean> digestHeld(String digest) {
    return pool.preparedQuery(DIGEST_HELD)
        .execute(Tuple.of(digest))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  /** The manifest and everything that holds it, or null when nothing does (any more). */
  Future<DigestUsage> digest(String digest) {
    Future<List<Row>> manifest = rows(MANIFEST, digest);
    Future<List<Member>> members =
        rows(MEMBERS_OF_LIST, digest)
            .map(rows -> membersByList(rows).getOrDefault(digest, List.of()));
    Future<List<Holder>> holders =
        rows(HOLDERS, digest)
            .map(
                rows ->
                    rows.stream()
                        .map(
                            row ->
                                new Holder(
                                    row.getString(0),
                                    row.getString(1),
                                    row.getString(2),
                                    row.getString(3)))
                        .toList());
    return Future.all(manifest, members, holders)
        .map(
            done ->
                manifest.result().isEmpty() || holders.result().isEmpty()
                    ? null
                    : new DigestUsage(
                        manifest(manifest.result().get(0), 0), members.result(), holders.result()));
  }

  private Future<List<Row>> rows(String sql, String parameter) {
    return pool.preparedQuery(sql)
        .execute(Tuple.of(parameter))
        .map(
            rows -> {
              List<Row> list = new ArrayList<>();
              rows.forEach(list::add);
              return list;
            });
  }

  private static RepositoryPage page(
      List<RepositorySummary> rows, long total, long lastModifiedMillis, ApiPage page) {
    boolean more = rows.size() > page.limit();
    List<RepositorySummary> shown = more ? rows.subList(0, page.limit()) : rows;
    return new RepositoryPage(
        List.copyOf(shown),
        total,
        more ? shown.get(shown.size() - 1).name() : null,
        lastModifiedMillis);
  }

  private static List<RepositorySummary> summaries(Iterable<Row> rows) {
    List<RepositorySummary> result = new ArrayList<>();
    for (Row row : rows) {
      result.add(
          new RepositorySummary(
              row.getString(0),
              row.getLong(1),
              row.getOffsetDateTime(2),
              row.getString(3),
              row.getString(4),
              row.getString(5),
              millis(row.getOffsetDateTime(6))));
    }
    return result;
  }

  private static long millis(OffsetDateTime at) {
    return at == null ? 0 : at.toInstant().toEpochMilli();
  }

  private static Map<String, List<Member>> membersByList(List<Row> rows) {
    return rows.stream()
        .collect(
            Collectors.groupingBy(
                row -> row.getString(0),
                LinkedHashMap::new,
                Collectors.mapping(
                    row ->
                        new Member(
                            manifest(row, 4), row.getString(1), row.getString(2), row.getString(3)),
                    Collectors.toList())));
  }

  private static Manifest manifest(Row row, int first) {
    return new Manifest(
        row.getString(first),
        row.getString(first + 1),
        row.getBoolean(first + 2),
        row.getString(first + 3),
        row.getString(first + 4),
        row.getString(first + 5),
        row.getString(first + 6),
        row.getLong(first + 7),
        row.getLong(first + 8),
        row.getLong(first + 9),
        json(row, first + 10),
        json(row, first + 11));
  }

  private static JsonObject json(Row row, int column) {
    return row.getValue(column) instanceof JsonObject object ? object : new JsonObject();
  }
}
