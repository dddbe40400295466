package org.flagstate.index;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.flagstate.db.SqlStatement;

/**
 * The SQL behind the Flatpak index: turns an {@link IndexQuery} into two statements (tagged images,
 * and members of tagged lists), with every condition evaluated in PostgreSQL. Statements differ
 * only by which conditions are present, so the prepared-statement cache holds a handful of shapes.
 */
public final class IndexReader {

  /**
   * A tagged image with all its tags in its repository. Labels and annotations are the JSON text of
   * their objects as stored: decoding them is left to the render, which runs off the event loop (a
   * 10,000-repository answer holds megabytes of them).
   */
  public record ImageRow(
      String repository,
      String digest,
      String mediaType,
      String os,
      String architecture,
      String labels,
      String annotations,
      List<String> tags) {}

  /** One matching member of a tagged list, with the list's own tags. */
  public record ListMemberRow(
      String repository,
      String listDigest,
      String listMediaType,
      List<String> listTags,
      String digest,
      String mediaType,
      String os,
      String architecture,
      String labels,
      String annotations) {}

  /**
   * Everything a query matched, and when that data last changed: the newest change of a matched
   * repository, or the last time a repository left the index, whichever is later.
   */
  public record Matches(
      List<ImageRow> images, List<ListMemberRow> listMembers, long lastModifiedMillis) {

    public Matches(List<ImageRow> images, List<ListMemberRow> listMembers) {
      this(images, listMembers, 0);
    }

    /** About how large the rendered answer is: the stored labels and annotations dominate it. */
    public long approximateBytes() {
      long bytes = 0;
      for (ImageRow image : images) {
        bytes += 256 + image.labels().length() + image.annotations().length();
      }
      for (ListMemberRow member : listMembers) {
        bytes += 256 + member.labels().length() + member.annotations().length();
      }
      return bytes;
    }
  }

  private static final String LAST_REMOVAL = "select last_removal_at from index_state";

  private final Pool pool;

  public IndexReader(Pool pool) {
    this.pool = pool;
  }

  public Future<Matches> find(IndexQuery query) {
    SqlStatement images = imagesStatement(query);
    SqlStatement lists = listsStatement(query);
    AtomicLong lastChange = new AtomicLong();
    Future<List<ImageRow>> imageRows =
        images.collect(
            pool,
            Collectors.mapping(
                row -> {
                  lastChange.accumulateAndGet(millis(row, 8), Math::max);
                  return new ImageRow(
                      row.getString(0),
                      row.getString(1),
                      row.getString(2),
                      row.getString(3),
                      row.getString(4),
                      row.getString(5),
                      row.getString(6),
                      List.of(row.getArrayOfStrings(7)));
                },
                Collectors.toList()));
    Future<List<ListMemberRow>> memberRows =
        lists.collect(
            pool,
            Collectors.mapping(
                row -> {
                  lastChange.accumulateAndGet(millis(row, 10), Math::max);
                  return new ListMemberRow(
                      row.getString(0),
                      row.getString(1),
                      row.getString(2),
                      List.of(row.getArrayOfStrings(3)),
                      row.getString(4),
                      row.getString(5),
                      row.getString(6),
                      row.getString(7),
                      row.getString(8),
                      row.getString(9));
                },
                Collectors.toList()));
    Future<Long> lastRemoval =
        pool.query(LAST_REMOVAL).execute().map(rows -> millis(rows.iterator().next(), 0));
    return Future.all(imageRows, memberRows, lastRemoval)
        .map(
            done ->
                new Matches(
                    imageRows.result(),
                    memberRows.result(),
                    Math.max(lastChange.get(), lastRemoval.result())));
  }

  private static long millis(Row row, int column) {
    OffsetDateTime at = row.getOffsetDateTime(column);
    return at == null ? 0 : at.toInstant().toEpochMilli();
  }

  private static SqlStatement imagesStatement(IndexQuery query) {
    SqlStatement s = new SqlStatement();
    s.append(
        """
        select r.name, m.digest, m.media_type, coalesce(m.os, ''), coalesce(m.architecture, ''),
               coalesce(m.labels, '{}')::text, coalesce(m.annotations, '{}')::text, array_agg(t.name order by t.name),
               max(r.changed_at)
        from tag t
        join repository r on r.id = t.repository_id
        join manifest m on m.digest = t.digest
        where not m.is_list""");
    s.in("r.name", query.repositories());
    s.in("m.os", query.oses());
    s.in("m.architecture", query.architectures());
    keyConditions(s, "m.labels", query.labels());
    keyConditions(s, "m.annotations", query.annotations());
    s.append(" group by r.name, m.digest");
    if (!query.tags().isEmpty()) {
      s.append(" having bool_or(t.name = any(").append(s.param(query.tags())).append("))");
    }
    return s;
  }

  private static SqlStatement listsStatement(IndexQuery query) {
    SqlStatement s = new SqlStatement();
    s.append(
        """
        select r.name, l.digest, l.media_type, lt.tags, m.digest, m.media_type,
               coalesce(m.os, lm.platform_os, ''), coalesce(m.architecture, lm.platform_architecture, ''),
               coalesce(m.labels, '{}')::text, coalesce(m.annotations, '{}')::text, r.changed_at
        from (select t.repository_id, t.digest, array_agg(t.name order by t.name) as tags
              from tag t join manifest tl on tl.digest = t.digest and tl.is_list
              group by t.repository_id, t.digest""");
    if (!query.tags().isEmpty()) {
      s.append(" having bool_or(t.name = any(").append(s.param(query.tags())).append("))");
    }
    s.append(
        """
        ) lt
        join repository r on r.id = lt.repository_id
        join manifest l on l.digest = lt.digest
        join list_member lm on lm.list_digest = l.digest
        join manifest m on m.digest = lm.member_digest
        where true""");
    s.in("r.name", query.repositories());
    s.in("coalesce(m.os, lm.platform_os)", query.oses());
    s.in("coalesce(m.architecture, lm.platform_architecture)", query.architectures());
    keyConditions(s, "m.labels", query.labels());
    keyConditions(s, "m.annotations", query.annotations());
    s.append(" order by r.name, l.digest, lm.position");
    return s;
  }

  /** One {@code and (...)} per key: the key exists, or its value is one of those asked for. */
  private static void keyConditions(
      SqlStatement s, String column, List<IndexQuery.KeyCondition> conditions) {
    for (IndexQuery.KeyCondition condition : conditions) {
      List<String> alternatives = new ArrayList<>();
      if (condition.exists()) {
        alternatives.add(column + " ? " + s.param(condition.key()));
      }
      if (!condition.values().isEmpty()) {
        alternatives.add(
            column
                + " ->> "
                + s.param(condition.key())
                + " = any("
                + s.param(condition.values())
                + ")");
      }
      s.append(" and (").append(String.join(" or ", alternatives)).append(")");
    }
  }
}
