package org.flagstate.inbox;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.flagstate.bus.Addresses;
import org.flagstate.bus.InboxAppended;

/**
 * Owns the {@code inbox} table, the durable record of registry notifications between the webhook
 * and the crawler: all of its SQL is here. The webhook stores events and wakes the crawler,
 * whichever node crawls: with a NOTIFY sent on commit, or, when this node's Vert.x is clustered,
 * with an {@link InboxAppended} published on the event bus right after the commit. The crawler
 * reads them pending in arrival order and marks them applied inside the transaction that applies
 * them.
 */
public final class InboxStore {

  /**
   * NOTIFY channel on which a commit of new events wakes the crawler, whichever node stored them.
   */
  public static final String WAKE_CHANNEL = "flagstate_inbox_appended";

  /** An event stored in the inbox, with its position in arrival order. */
  public record Pending(long seq, RegistryEvent event) {}

  private static final String INSERT =
      """
      insert into inbox (event_id, repository, action, digest, tag, media_type, occurred_at)
      values ($1, $2, $3, $4, $5, $6, $7)
      on conflict (event_id) do nothing""";

  private static final String WAKE = "select pg_notify('" + WAKE_CHANNEL + "', '')";

  private static final String PENDING =
      """
      select seq, event_id, repository, action, digest, tag, media_type, occurred_at
      from inbox where applied_at is null order by seq limit $1""";

  private static final String MARK_APPLIED =
      "update inbox set applied_at = now() where seq = any($1)";

  private static final String STATUS =
      """
      select count(*) filter (where applied_at is null), max(received_at), max(applied_at) from inbox""";

  private static final String LAST_APPLIED = "select max(applied_at) from inbox";

  private static final String FORGET_APPLIED =
      "delete from inbox where applied_at < now() - interval '7 days'";

  private final Pool pool;

  public InboxStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores {@code events}, all or none, ignoring event ids already stored. Succeeds once they are
   * committed, with the number that were new; when any were, the crawler is woken on commit (by the
   * event bus when the calling context's Vert.x is clustered, else by NOTIFY).
   */
  public Future<Integer> store(List<RegistryEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture(0);
    }
    List<Tuple> rows =
        events.stream()
            .map(
                e ->
                    Tuple.of(
                        e.eventId(),
                        e.repository(),
                        e.action().wireName(),
                        e.digest(),
                        e.tag(),
                        e.mediaType(),
                        e.occurredAt()))
            .toList();
    Vertx clustered = clusteredVertx();
    Future<Integer> committed =
        pool.withTransaction(
            connection ->
                connection
                    .preparedQuery(INSERT)
                    .executeBatch(rows)
                    .compose(
                        result -> {
                          int inserted = 0;
                          for (var r = result; r != null; r = r.next()) {
                            inserted += r.rowCount();
                          }
                          int stored = inserted;
                          return stored == 0 || clustered != null
                              ? Future.succeededFuture(stored)
                              : connection.query(WAKE).execute().map(stored);
                        }));
    if (clustered == null) {
      return committed;
    }
    return committed.onSuccess(
        stored -> {
          if (stored > 0) {
            clustered
                .eventBus()
                .publish(Addresses.INBOX_APPENDED, new InboxAppended(stored).toJson());
          }
        });
  }

  /**
   * The clustered Vert.x the caller runs on, or null: not clustered (or no Vert.x context), so
   * NOTIFY.
   */
  private static Vertx clusteredVertx() {
    Context context = Vertx.currentContext();
    return context != null && context.owner().isClustered() ? context.owner() : null;
  }

  /** The oldest events not applied yet, in arrival order. */
  public Future<List<Pending>> pending(int limit) {
    return pool.preparedQuery(PENDING)
        .execute(Tuple.of(limit))
        .map(
            rows -> {
              List<Pending> events = new ArrayList<>();
              for (Row row : rows) {
                RegistryEvent.Action action =
                    RegistryEvent.Action.named(row.getString(3))
                        .orElseThrow(
                            () ->
                                new IllegalStateException(
                                    "inbox row "
                                        + row.getLong(0)
                                        + " has action "
                                        + row.getString(3)));
                events.add(
                    new Pending(
                        row.getLong(0),
                        new RegistryEvent(
                            row.getString(1),
                            row.getString(2),
                            action,
                            row.getString(4),
                            row.getString(5),
                            row.getString(6),
                            row.getString(7))));
              }
              return events;
            });
  }

  /**
   * Marks {@code applied} applied as part of {@code connection}'s transaction (the one that applies
   * them).
   */
  public static Future<Void> markApplied(SqlConnection connection, List<Pending> applied) {
    if (applied.isEmpty()) {
      return Future.succeededFuture();
    }
    Long[] seqs = applied.stream().map(Pending::seq).toArray(Long[]::new);
    return connection
        .preparedQuery(MARK_APPLIED)
        .execute(Tuple.tuple().addArrayOfLong(seqs))
        .mapEmpty();
  }

  /** Forgets events applied more than a week ago, as part of {@code connection}'s transaction. */
  public static Future<Integer> forgetOldApplied(SqlConnection connection) {
    return connection.query(FORGET_APPLIED).execute().map(rows -> rows.rowCount());
  }

  /** Pending count, last received and last applied time, as {@code /status} shows them. */
  public Future<JsonObject> status() {
    return pool.query(STATUS)
        .execute()
        .map(
            rows -> {
              Row row = rows.iterator().next();
              JsonObject status = new JsonObject().put("pending", row.getLong(0));
              if (row.getOffsetDateTime(1) != null) {
                status.put("lastReceivedAt", row.getOffsetDateTime(1).toInstant().toString());
              }
              if (row.getOffsetDateTime(2) != null) {
                status.put("lastAppliedAt", row.getOffsetDateTime(2).toInstant().toString());
              }
              return status;
            });
  }

  /** When the newest event was applied, or null when none has been. */
  public Future<Instant> lastApplied() {
    return pool.query(LAST_APPLIED)
        .execute()
        .map(
            rows -> {
              var last = rows.iterator().next().getOffsetDateTime(0);
              return last == null ? null : last.toInstant();
            });
  }
}
