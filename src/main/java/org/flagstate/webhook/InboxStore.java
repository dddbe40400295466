package org.flagstate.webhook;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/** The webhook's only SQL: stores accepted events in the inbox, all or none, ignoring known event ids. */
final class InboxStore {

  private static final String INSERT = """
      insert into inbox (event_id, repository, action, digest, tag, media_type, occurred_at)
      values ($1, $2, $3, $4, $5, $6, $7)
      on conflict (event_id) do nothing""";

  private final Pool pool;

  InboxStore(Pool pool) {
    this.pool = pool;
  }

  /** Succeeds once the events are committed; with the number that were new. */
  Future<Integer> store(List<RegistryEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture(0);
    }
    List<Tuple> rows = events.stream()
        .map(e -> Tuple.of(e.eventId(), e.repository(), e.action(), e.digest(), e.tag(), e.mediaType(), e.timestamp()))
        .toList();
    if (rows.size() == 1) {
      return pool.preparedQuery(INSERT).execute(rows.get(0)).map(result -> result.rowCount());
    }
    return pool.withTransaction(connection -> connection.preparedQuery(INSERT).executeBatch(rows).map(result -> {
      int inserted = 0;
      for (var r = result; r != null; r = r.next()) {
        inserted += r.rowCount();
      }
      return inserted;
    }));
  }
}
