package org.flagstate.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.flagstate.db.SqlStatement;
import org.flagstate.http.Bytewise;
import org.flagstate.search.RepositoryMatch;

/**
 * All SQL of the JSON API, also read by the web UI so its pages show exactly what the API serves.
 * Repositories are listed and paged by name with {@code COLLATE "C"} (bytewise) keyset paging;
 * matching, counting and facets run in PostgreSQL. A repository's title, description and icon are
 * the columns the crawler stored (registry/ImageText's rules, from its representative tag), and
 * search text matches as {@code /v1/search} does ({@link RepositoryMatch}).
 */
public final class ApiReader {

  /**
   * A repository as the listing shows it; {@code title}, {@code description} and {@code icon} may
   * be null. {@code changedMillis} is when its tags last changed, {@code lastRemovalMillis} when
   * any repository last left the index (what a listing's Last-Modified is made of).
   */
  public record RepositorySummary(
      String name,
      long tagCount,
      OffsetDateTime lastUpdated,
      String title,
      String description,
      String icon,
      long changedMillis,
      long lastRemovalMillis) {}

  /**
   * One page of repositories, the size of the whole set, and the name the next page starts after
   * (or null).
   */
  public record RepositoryPage(List<RepositorySummary> repositories, long total, String nextAfter) {

    /**
     * When the data of this page last changed: a listed repository, or a removal; 0 for an empty
     * page.
     */
    public long lastModifiedMillis() {
      return repositories.stream()
          .mapToLong(summary -> Math.max(summary.changedMillis(), summary.lastRemovalMillis()))
          .max()
          .orElse(0);
    }
  }

  /**
   * A page of search results with the facet counts (value → repositories) over the whole match set.
   */
  public record SearchPage(RepositoryPage page, Map<String, Map<String, Long>> facets) {}

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
      "r.name, s.tag_count, s.last_updated, r.title, r.description, r.icon,"
          + " r.changed_at, (select last_removal_at from index_state)";

  private static final String SUMMARY_JOINS =
      " "
          + """
      cross join lateral (select count(*) as tag_count, max(t.updated_at) as last_updated
                          from tag t where t.repository_id = r.id) s""";

  private static final String COUNT_REPOSITORIES =
      "select count(*) from repository r where " + HAS_TAGS;

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
   * One row per image a tag reaches: the tagged image itself, or each member of a tagged list
   * (platform from the member's config, else from the list), with the media type of the tagged
   * manifest too.
   */
  private static final String ENTRIES =
      """
      entries as (
        select t.repository_id, m.media_type as tagged_type, m.media_type as image_type, m.os, m.architecture,
               m.labels, %1$s as kind
        from tag t join manifest m on m.digest = t.digest
        where not m.is_list
        union all
        select t.repository_id, l.media_type, m.media_type, coalesce(m.os, lm.platform_os),
               coalesce(m.architecture, lm.platform_architecture), m.labels, %1$s
        from tag t join manifest l on l.digest = t.digest and l.is_list
        join list_member lm on lm.list_digest = l.digest
        join manifest m on m.digest = lm.member_digest)""";

  private static final String FACETS =
      """
      select 'architecture', e.architecture, count(distinct e.repository_id)
      from entries e join matched x on x.id = e.repository_id where e.architecture is not null group by 2
      union all
      select 'os', e.os, count(distinct e.repository_id)
      from entries e join matched x on x.id = e.repository_id where e.os is not null group by 2
      union all
      select 'label', k.key, count(distinct e.repository_id)
      from entries e join matched x on x.id = e.repository_id cross join lateral jsonb_object_keys(e.labels) k(key)
      group by 2
      union all
      select 'mediaType', v.media_type, count(distinct e.repository_id)
      from entries e join matched x on x.id = e.repository_id
      cross join lateral (values (e.tagged_type), (e.image_type)) v(media_type) group by 2
      union all
      select 'kind', e.kind, count(distinct e.repository_id)
      from entries e join matched x on x.id = e.repository_id group by 2
      union all
      select 'namespace', split_part(x.name, '/', 1), count(*) from matched x where strpos(x.name, '/') > 0 group by 2
      union all
      select 'total', null, count(*) from matched""";

  private final Pool pool;
  private final String cockpitLabel;

  /**
   * @param cockpitLabel the label that marks a Cockpit plugin ({@code ui.cockpit_label}, {@link
   *     ImageKind})
   */
  public ApiReader(Pool pool, String cockpitLabel) {
    this.pool = pool;
    this.cockpitLabel = cockpitLabel;
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
    Future<Long> total =
        pool.query(COUNT_REPOSITORIES).execute().map(result -> result.iterator().next().getLong(0));
    return Future.all(rows, total).map(done -> page(rows.result(), total.result(), page));
  }

  /**
   * A page of the repositories matching {@code search}, with the total and facets of the whole
   * match set.
   */
  public Future<SearchPage> search(RepositorySearch search) {
    SqlStatement rows = matched(search);
    rows.append(" select ")
        .append(SUMMARY_COLUMNS)
        .append(
            " from (select x.id, x.name, x.title, x.description, x.icon, x.changed_at from matched x");
    if (search.page().after() != null) {
      rows.append(" where x.name > ").append(rows.param(search.page().after()));
    }
    rows.append(" order by x.name limit ")
        .append(rows.param(search.page().limit() + 1))
        .append(") r")
        .append(SUMMARY_JOINS)
        .append(" order by r.name");
    SqlStatement facets = matched(search);
    facets.append(" ").append(FACETS);
    Future<List<RepositorySummary>> summaries = rows.execute(pool).map(ApiReader::summaries);
    Future<Map<String, Map<String, Long>>> counts =
        facets
            .execute(pool)
            .map(
                result -> {
                  Map<String, Map<String, Long>> byFacet = new LinkedHashMap<>();
                  for (String facet :
                      List.of(
                          "architecture",
                          "os",
                          "label",
                          "mediaType",
                          "kind",
                          "namespace",
                          "total")) {
                    byFacet.put(facet, new java.util.TreeMap<>(Bytewise.ORDER));
                  }
                  for (Row row : result) {
                    byFacet
                        .get(row.getString(0))
                        .put(row.getString(1) == null ? "" : row.getString(1), row.getLong(2));
                  }
                  return byFacet;
                });
    return Future.all(summaries, counts)
        .map(
            done -> {
              Map<String, Map<String, Long>> byFacet = counts.result();
              long total = byFacet.remove("total").getOrDefault("", 0L);
              return new SearchPage(page(summaries.result(), total, search.page()), byFacet);
            });
  }

  /**
   * {@code with entries, matched}: the id, name, title, description and icon of the repositories
   * {@code search} matches; its text as {@code /v1/search} matches it.
   */
  private SqlStatement matched(RepositorySearch search) {
    SqlStatement s = new SqlStatement();
    s.append("with ")
        .append(String.format(ENTRIES, ImageKind.sql("m.labels", s.param(cockpitLabel))))
        .append(
            ", matched as (select r.id, r.name, r.title, r.description, r.icon, r.changed_at from repository r where ");
    if (search.text() != null) {
      s.append(RepositoryMatch.of(search.text()).bind(s).condition("r"));
    } else {
      s.append(HAS_TAGS);
    }
    if (!search.namespaces().isEmpty()) {
      s.append(" and strpos(r.name, '/') > 0");
      s.in("split_part(r.name, '/', 1)", search.namespaces());
    }
    if (search.filtersImages()) {
      s.append(" and exists (select 1 from entries e where e.repository_id = r.id");
      s.in("e.architecture", search.architectures());
      s.in("e.os", search.oses());
      s.in("e.kind", search.kinds());
      if (!search.labels().isEmpty()) {
        s.append(" and e.labels ?| ").append(s.param(search.labels()));
      }
      if (!search.mediaTypes().isEmpty()) {
        String types = s.param(search.mediaTypes());
        s.append(" and (e.tagged_type = any(")
            .append(types)
            .append(") or e.image_type = any(")
            .append(types)
            .append("))");
      }
      s.append(")");
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

  private static RepositoryPage page(List<RepositorySummary> rows, long total, ApiPage page) {
    boolean more = rows.size() > page.limit();
    List<RepositorySummary> shown = more ? rows.subList(0, page.limit()) : rows;
    return new RepositoryPage(
        List.copyOf(shown), total, more ? shown.get(shown.size() - 1).name() : null);
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
              millis(row.getOffsetDateTime(6)),
              millis(row.getOffsetDateTime(7))));
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
