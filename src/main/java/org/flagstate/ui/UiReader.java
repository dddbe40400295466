package org.flagstate.ui;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.flagstate.search.RepositoryMatch;

/**
 * The SQL only the web UI needs, beside what it reads through the JSON API's reader: the totals and
 * the recently updated repositories of the start page, the Flatpak apps of the gallery, and one
 * repository's stored icon. Titles, descriptions and icons are the columns the crawler stored
 * (registry/ImageText).
 */
final class UiReader {

  /**
   * How many repositories, images (tagged, or members of tagged lists) and Flatpak apps the index
   * holds.
   */
  record Totals(long repositories, long images, long flatpakApps) {}

  /** A repository with its stored text, tag count and newest tag update. */
  record Recent(
      String name,
      String title,
      String description,
      String icon,
      long tagCount,
      OffsetDateTime lastUpdated) {}

  /**
   * One Flatpak app image of a tag (one row per platform of a list), with the labels the gallery
   * shows.
   */
  record AppImage(
      String repository,
      String icon,
      String tag,
      OffsetDateTime updatedAt,
      String architecture,
      String ref,
      String metadata,
      String downloadSize,
      String installedSize,
      String appdata) {}

  private static final String HAS_TAGS = RepositoryMatch.hasTags("r");

  /** Every image a tag reaches: a tagged image, or each member of a tagged list. */
  private static final String TAGGED_IMAGES =
      """
      select t.repository_id, t.name as tag, t.updated_at, coalesce(mm.digest, m.digest) as digest,
             coalesce(mm.architecture, lm.platform_architecture, m.architecture) as architecture,
             coalesce(mm.labels, m.labels) as labels
      from tag t join manifest m on m.digest = t.digest
      left join list_member lm on m.is_list and lm.list_digest = m.digest
      left join manifest mm on mm.digest = lm.member_digest
      where not m.is_list or mm.digest is not null""";

  private static final String TOTALS =
      "with images as ("
          + TAGGED_IMAGES
          + ") select"
          + " (select count(*) from repository r where "
          + HAS_TAGS
          + "),"
          + " (select count(distinct digest) from images),"
          + " (select count(distinct repository_id) from images where labels->>'org.flatpak.ref' like 'app/%')";

  private static final String RECENT =
      """
      with recent as (
        select t.repository_id, count(*) as tag_count, max(t.updated_at) as last_updated
        from tag t group by t.repository_id order by last_updated desc, t.repository_id limit $1)
      select r.name, r.title, r.description, r.icon, x.tag_count, x.last_updated
      from recent x join repository r on r.id = x.repository_id order by x.last_updated desc, r.name""";

  private static final String APPS =
      "with images as ("
          + TAGGED_IMAGES
          + ")"
          + """

      select r.name, r.icon, i.tag, i.updated_at, i.architecture, i.labels->>'org.flatpak.ref',
             i.labels->>'org.flatpak.metadata', i.labels->>'org.flatpak.download-size',
             i.labels->>'org.flatpak.installed-size', i.labels->>'org.freedesktop.appstream.appdata'
      from images i join repository r on r.id = i.repository_id
      where i.labels->>'org.flatpak.ref' like 'app/%'
      order by r.name, i.tag, i.architecture""";

  private static final String ICON =
      "select r.icon from repository r where r.name = $1 and " + HAS_TAGS;

  private final Pool pool;

  UiReader(Pool pool) {
    this.pool = pool;
  }

  Future<Totals> totals() {
    return pool.query(TOTALS)
        .execute()
        .map(
            rows -> {
              Row row = rows.iterator().next();
              return new Totals(row.getLong(0), row.getLong(1), row.getLong(2));
            });
  }

  /** The {@code limit} repositories whose tags changed last, newest first. */
  Future<List<Recent>> recent(int limit) {
    return pool.preparedQuery(RECENT)
        .execute(Tuple.of(limit))
        .map(
            rows -> {
              List<Recent> result = new ArrayList<>();
              for (Row row : rows) {
                result.add(
                    new Recent(
                        row.getString(0),
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        row.getLong(4),
                        row.getOffsetDateTime(5)));
              }
              return result;
            });
  }

  /** Every Flatpak app image any tag reaches, by repository, tag and architecture. */
  Future<List<AppImage>> appImages() {
    return pool.query(APPS)
        .execute()
        .map(
            rows -> {
              List<AppImage> result = new ArrayList<>();
              for (Row row : rows) {
                result.add(
                    new AppImage(
                        row.getString(0),
                        row.getString(1),
                        row.getString(2),
                        row.getOffsetDateTime(3),
                        row.getString(4),
                        row.getString(5),
                        row.getString(6),
                        row.getString(7),
                        row.getString(8),
                        row.getString(9)));
              }
              return result;
            });
  }

  /** The stored icon of a repository in the index; null when it has none or is not in the index. */
  Future<String> icon(String repository) {
    return pool.preparedQuery(ICON)
        .execute(Tuple.of(repository))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }
}
