package org.flagstate.crawl;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flagstate.bus.ChangeNotifications;
import org.flagstate.bus.IndexChanged;
import org.flagstate.inbox.InboxStore;
import org.flagstate.registry.ImageText;
import org.flagstate.registry.ParsedManifest;
import org.flagstate.search.RepositoryMatch;

/**
 * The index SQL the crawler runs: lookups that decide what to fetch, and the one transaction per
 * repository that stores new manifests and moves its tags (the inbox's own SQL is {@link
 * InboxStore}'s). A repository is written whole or not at all.
 */
final class IndexWriter {

  private static final String KNOWN_DIGESTS =
      """
      select digest, true as indexable from manifest where digest = any($1)
      union all
      select digest, false from skipped_manifest where digest = any($1)""";

  private static final String CURRENT_TAGS =
      """
      select t.name, t.digest from tag t join repository r on r.id = t.repository_id where r.name = $1""";

  private static final String INSERT_MANIFEST =
      """
      insert into manifest (digest, media_type, is_list, size, config_digest, os, architecture, variant, created,
                            labels, annotations, title, description, config_size, layers_size, icon)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
      on conflict (digest) do nothing""";

  private static final String INSERT_MEMBER =
      """
      insert into list_member (list_digest, position, member_digest, platform_os, platform_architecture,
                               platform_variant)
      values ($1, $2, $3, $4, $5, $6)
      on conflict do nothing""";

  private static final String INSERT_SKIPPED =
      """
      insert into skipped_manifest (digest, repository, reason) values ($1, $2, $3) on conflict do nothing""";

  private static final String REPOSITORY_ID =
      """
      with inserted as (insert into repository (name) values ($1) on conflict (name) do nothing returning id)
      select id from inserted union all select id from repository where name = $1 limit 1""";

  private static final String DELETE_STALE_TAGS =
      """
      delete from tag where repository_id = $1 and not (name = any($2))""";

  private static final String UPSERT_TAGS =
      """
      insert into tag (repository_id, name, digest)
      select $1, name, digest from unnest($2::text[], $3::text[]) as t(name, digest)
      on conflict (repository_id, name) do update set digest = excluded.digest, updated_at = now()
      where tag.digest <> excluded.digest""";

  /**
   * The repository's title, description and icon (each as {@link ImageText} derived it for a
   * manifest) and its search document come from its "latest" tag, else its most recently moved one;
   * for a list, each from the list itself, else its first member carrying text (title or
   * description), respectively an icon. The row is only rewritten when something changed.
   */
  private static final String REFRESH_REPOSITORY_TEXT =
      """
      update repository r
      set title = t.title, description = t.description, icon = t.icon, search_document = t.document
      from (select picked.title, picked.description, picked.icon,
                   """
          + RepositoryMatch.document("$2::text", "picked.title", "picked.description")
          + """
       as document
            from (select coalesce(m.title, texts.title) as title,
                         coalesce(m.description, texts.description) as description,
                         coalesce(m.icon, icons.icon) as icon
                  from tag tg
                  join manifest m on m.digest = tg.digest
                  left join lateral (select mm.title, mm.description
                                     from list_member lm join manifest mm on mm.digest = lm.member_digest
                                     where lm.list_digest = m.digest
                                       and (mm.title is not null or mm.description is not null)
                                     order by lm.position limit 1) texts on true
                  left join lateral (select mm.icon
                                     from list_member lm join manifest mm on mm.digest = lm.member_digest
                                     where lm.list_digest = m.digest and mm.icon is not null
                                     order by lm.position limit 1) icons on true
                  where tg.repository_id = $1
                  order by tg.name = 'latest' desc, tg.updated_at desc, tg.name
                  limit 1) picked) t
      where r.id = $1
        and (r.title, r.description, r.icon, r.search_document) is distinct from
            (t.title, t.description, t.icon, t.document)""";

  private static final String DELETE_REPOSITORY = "delete from repository where name = $1";

  private static final String MARK_CHANGED =
      "update repository set changed_at = now() where id = $1";

  private static final String MARK_REMOVAL = "update index_state set last_removal_at = now()";

  private static final String DELETE_REPOSITORIES_NOT_IN =
      """
      delete from repository where not (name = any($1)) returning name""";

  private static final String COLLECT_LIST_MEMBERS =
      """
      delete from list_member lm where not exists (select 1 from tag t where t.digest = lm.list_digest)""";

  private static final String COLLECT_MANIFESTS =
      """
      delete from manifest m
      where not exists (select 1 from tag t where t.digest = m.digest)
        and not exists (select 1 from list_member lm where lm.member_digest = m.digest)""";

  private static final String NOTIFY = "select pg_notify($1, $2)";

  private final Pool pool;
  private final boolean notifyOnCommit;

  /**
   * @param notifyOnCommit send each change by NOTIFY inside its transaction (nodes not clustered);
   *     false when the crawler publishes it on the clustered event bus after the commit instead
   */
  IndexWriter(Pool pool, boolean notifyOnCommit) {
    this.pool = pool;
    this.notifyOnCommit = notifyOnCommit;
  }

  /**
   * digest → true when stored in the index, false when known to be unindexable; unknown digests
   * absent.
   */
  Future<Map<String, Boolean>> knownDigests(List<String> digests) {
    if (digests.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return pool.preparedQuery(KNOWN_DIGESTS)
        .execute(Tuple.tuple().addArrayOfString(digests.toArray(String[]::new)))
        .map(
            rows -> {
              Map<String, Boolean> known = new HashMap<>();
              for (Row row : rows) {
                known.put(row.getString(0), row.getBoolean(1));
              }
              return known;
            });
  }

  /** tag → digest as the index has it now. */
  Future<Map<String, String>> currentTags(String repository) {
    return pool.preparedQuery(CURRENT_TAGS)
        .execute(Tuple.of(repository))
        .map(
            rows -> {
              Map<String, String> tags = new HashMap<>();
              for (Row row : rows) {
                tags.put(row.getString(0), row.getString(1));
              }
              return tags;
            });
  }

  /**
   * Stores the fetched manifests and makes the repository's tags exactly {@code tags} (no tags: the
   * repository leaves the index), in one transaction. Succeeds with the change it committed.
   */
  Future<IndexChanged> applyRepository(
      String repository, Map<String, String> tags, FetchedManifests fetched) {
    return applyRepository(repository, tags, fetched, List.of());
  }

  /**
   * The same, and marks the inbox events {@code appliedEvents} applied in that transaction, so
   * after a crash an event is either applied and marked, or neither. The change goes to every node
   * (this one included) by NOTIFY on commit, or, when nodes are clustered, from the crawler after
   * it.
   */
  Future<IndexChanged> applyRepository(
      String repository,
      Map<String, String> tags,
      FetchedManifests fetched,
      List<InboxStore.Pending> appliedEvents) {
    return pool.withTransaction(
        connection ->
            storeManifests(connection, fetched)
                .compose(
                    v ->
                        tags.isEmpty()
                            ? removeRepository(connection, repository)
                            : replaceTags(connection, repository, tags))
                .compose(
                    changed ->
                        InboxStore.markApplied(connection, appliedEvents)
                            .map(
                                v ->
                                    new IndexChanged(
                                        changed ? List.of(repository) : List.of(),
                                        appliedEvents.size(),
                                        System.currentTimeMillis())))
                .compose(change -> notifyEveryNode(connection, change).map(change)));
  }

  /**
   * Tells every node sharing this database, on commit of {@code connection}'s transaction (NOTIFY
   * mode).
   */
  private Future<Void> notifyEveryNode(SqlConnection connection, IndexChanged change) {
    if (!notifyOnCommit || (change.repositories().isEmpty() && change.eventsApplied() == 0)) {
      return Future.succeededFuture();
    }
    List<Tuple> payloads =
        ChangeNotifications.payloads(change).stream()
            .map(payload -> Tuple.of(ChangeNotifications.CHANNEL, payload))
            .toList();
    return connection.preparedQuery(NOTIFY).executeBatch(payloads).mapEmpty();
  }

  /**
   * Deletes manifests that no tag references any more, directly or as a member of a tagged list,
   * and applied inbox events older than a week. Succeeds with the number of manifests removed.
   */
  Future<Integer> collectGarbage() {
    return pool.withTransaction(
        connection ->
            connection
                .query(COLLECT_LIST_MEMBERS)
                .execute()
                .compose(members -> connection.query(COLLECT_MANIFESTS).execute())
                .compose(
                    manifests ->
                        InboxStore.forgetOldApplied(connection).map(manifests.rowCount())));
  }

  /** Drops every repository not in {@code catalog}; succeeds with the change committed. */
  Future<IndexChanged> removeRepositoriesNotIn(List<String> catalog) {
    return pool.withTransaction(
        connection ->
            connection
                .preparedQuery(DELETE_REPOSITORIES_NOT_IN)
                .execute(Tuple.tuple().addArrayOfString(catalog.toArray(String[]::new)))
                .compose(
                    rows -> {
                      List<String> removed = new ArrayList<>();
                      rows.forEach(row -> removed.add(row.getString(0)));
                      IndexChanged change =
                          new IndexChanged(removed, 0, System.currentTimeMillis());
                      Future<?> marked =
                          removed.isEmpty()
                              ? Future.succeededFuture()
                              : connection.query(MARK_REMOVAL).execute();
                      return marked.compose(v -> notifyEveryNode(connection, change)).map(change);
                    }));
  }

  private static Future<Void> storeManifests(SqlConnection connection, FetchedManifests fetched) {
    List<Tuple> manifests = new ArrayList<>();
    for (FetchedManifests.Image image : fetched.images) {
      ParsedManifest.Image m = image.manifest();
      ImageText text = ImageText.of(image.config().labels(), m.annotations());
      manifests.add(
          Tuple.tuple()
              .addValue(m.digest())
              .addValue(m.mediaType())
              .addValue(false)
              .addValue(m.size())
              .addValue(m.configDigest())
              .addValue(image.config().os())
              .addValue(image.config().architecture())
              .addValue(image.config().variant())
              .addValue(image.config().created())
              .addValue(new JsonObject(new HashMap<>(image.config().labels())))
              .addValue(new JsonObject(new HashMap<>(m.annotations())))
              .addValue(text.title())
              .addValue(text.description())
              .addValue(m.configSize())
              .addValue(m.layersSize())
              .addValue(text.icon()));
    }
    List<Tuple> members = new ArrayList<>();
    for (FetchedManifests.ImageList list : fetched.lists) {
      ParsedManifest.ImageList m = list.manifest();
      ImageText listText = ImageText.of(Map.of(), m.annotations());
      manifests.add(
          Tuple.tuple()
              .addValue(m.digest())
              .addValue(m.mediaType())
              .addValue(true)
              .addValue(m.size())
              .addValue(null)
              .addValue(null)
              .addValue(null)
              .addValue(null)
              .addValue(null)
              .addValue(new JsonObject())
              .addValue(new JsonObject(new HashMap<>(m.annotations())))
              .addValue(listText.title())
              .addValue(listText.description())
              .addValue(null)
              .addValue(null)
              .addValue(listText.icon()));
      int position = 0;
      for (ParsedManifest.Member member : list.members()) {
        members.add(
            Tuple.of(
                m.digest(),
                position++,
                member.digest(),
                member.os(),
                member.architecture(),
                member.variant()));
      }
    }
    List<Tuple> skipped =
        fetched.skipped.stream()
            .map(s -> Tuple.of(s.digest(), s.repository(), s.reason()))
            .toList();
    return batch(connection, INSERT_MANIFEST, manifests)
        .compose(v -> batch(connection, INSERT_MEMBER, members))
        .compose(v -> batch(connection, INSERT_SKIPPED, skipped));
  }

  private static Future<Boolean> replaceTags(
      SqlConnection connection, String repository, Map<String, String> tags) {
    String[] names = tags.keySet().toArray(String[]::new);
    String[] digests = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      digests[i] = tags.get(names[i]);
    }
    return connection
        .preparedQuery(REPOSITORY_ID)
        .execute(Tuple.of(repository))
        .compose(
            rows -> {
              long id = rows.iterator().next().getLong(0);
              return connection
                  .preparedQuery(DELETE_STALE_TAGS)
                  .execute(Tuple.tuple().addLong(id).addArrayOfString(names))
                  .compose(
                      deleted ->
                          connection
                              .preparedQuery(UPSERT_TAGS)
                              .execute(
                                  Tuple.tuple()
                                      .addLong(id)
                                      .addArrayOfString(names)
                                      .addArrayOfString(digests))
                              .compose(
                                  upserted ->
                                      connection
                                          .preparedQuery(REFRESH_REPOSITORY_TEXT)
                                          .execute(Tuple.of(id, repository))
                                          .compose(
                                              refreshed -> {
                                                boolean changed =
                                                    deleted.rowCount() > 0
                                                        || upserted.rowCount() > 0;
                                                return changed
                                                    ? connection
                                                        .preparedQuery(MARK_CHANGED)
                                                        .execute(Tuple.of(id))
                                                        .map(true)
                                                    : Future.succeededFuture(false);
                                              })));
            });
  }

  private static Future<Boolean> removeRepository(SqlConnection connection, String repository) {
    return connection
        .preparedQuery(DELETE_REPOSITORY)
        .execute(Tuple.of(repository))
        .compose(
            rows ->
                rows.rowCount() == 0
                    ? Future.succeededFuture(false)
                    : connection.query(MARK_REMOVAL).execute().map(true));
  }

  private static Future<Void> batch(SqlConnection connection, String sql, List<Tuple> tuples) {
    if (tuples.isEmpty()) {
      return Future.succeededFuture();
    }
    return connection.preparedQuery(sql).executeBatch(tuples).mapEmpty();
  }
}
