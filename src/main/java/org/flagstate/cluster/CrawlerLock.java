package org.flagstate.cluster;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowIterator;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * The fence that lets exactly one node crawl: a PostgreSQL session-level advisory lock, held on a
 * connection of the crawling node's own. It is the same in both modes and independent of cluster
 * membership: nodes that do not see each other (a network split) still share the database, and
 * PostgreSQL grants the lock to one session only. It dies with its session, so a killed node's lock
 * is free as soon as PostgreSQL sees the connection close; for a host that vanishes without closing
 * it, the session asks the server to probe the client ({@link #SESSION_SETTINGS}) so the lock is
 * free within about ten seconds. The holding session is named after its node, so any node can tell
 * who crawls.
 */
public final class CrawlerLock {

  /** Advisory lock key of the crawler: "flagstat" in ASCII. */
  private static final long KEY = 7380380986299933044L;

  private static final String TRY_LOCK = "select pg_try_advisory_lock(" + KEY + ")";

  private static final String APPLICATION_NAME_PREFIX = "flagstate crawler ";

  /**
   * TCP keepalive probes after 5 s of silence, every 2 s, 3 of them, and unacknowledged data for 10
   * s at most: the server ends the session (and frees the lock) of a client that is gone.
   */
  private static final String SESSION_SETTINGS =
      "set tcp_keepalives_idle = 5; set tcp_keepalives_interval = 2; "
          + "set tcp_keepalives_count = 3; set tcp_user_timeout = 10000";

  /** pg_locks shows a bigint advisory key as its high and low 32 bits (classid, objid). */
  private static final String HOLDER =
      """
      select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.objsubid = 1
        and l.database = (select oid from pg_database where datname = current_database())
        and l.classid::bigint = $1 and l.objid::bigint = $2""";

  private CrawlerLock() {}

  /**
   * Takes the lock on a connection of {@code pool} and names its session after {@code nodeId};
   * succeeds with that connection (keep it open to keep the lock), or with null when another
   * session holds it.
   */
  public static Future<SqlConnection> tryAcquire(Pool pool, String nodeId) {
    return pool.getConnection()
        .compose(
            connection ->
                connection
                    .query(TRY_LOCK)
                    .execute()
                    .compose(
                        rows -> {
                          if (!rows.iterator().next().getBoolean(0)) {
                            connection.close();
                            return Future.<SqlConnection>succeededFuture(null);
                          }
                          // neither can fail the lock taken: a session without its name or probes
                          // still fences
                          return connection
                              .query(
                                  "set application_name = '"
                                      + APPLICATION_NAME_PREFIX
                                      + nodeId.replace("'", "")
                                      + "'")
                              .execute()
                              .<Void>mapEmpty()
                              .otherwiseEmpty()
                              .compose(
                                  named ->
                                      connection
                                          .query(SESSION_SETTINGS)
                                          .execute()
                                          .<Void>mapEmpty()
                                          .otherwiseEmpty())
                              .map(connection);
                        })
                    .onFailure(failure -> connection.close()));
  }

  /** The id of the node whose session holds the lock, or null when none does. */
  public static Future<String> holder(Pool pool) {
    return pool.preparedQuery(HOLDER)
        .execute(Tuple.of(KEY >>> 32, KEY & 0xffffffffL))
        .map(
            rows -> {
              RowIterator<Row> iterator = rows.iterator();
              if (!iterator.hasNext()) {
                return null;
              }
              String name = iterator.next().getString(0);
              return name != null && name.startsWith(APPLICATION_NAME_PREFIX)
                  ? name.substring(APPLICATION_NAME_PREFIX.length())
                  : "unnamed session (" + name + ")";
            });
  }
}
