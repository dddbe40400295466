package org.flagstate.cache;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import org.flagstate.bus.ChangeNotifications;
import org.flagstate.bus.IndexChanged;
import org.flagstate.db.SharedPool;
import org.flagstate.inbox.InboxStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's {@link ResponseCache} honest: every {@link IndexChanged} a crawler commits (this
 * node's or another's) reaches it exactly once, by PostgreSQL NOTIFY, and it drops exactly the rendered
 * responses that may include a changed repository and records how fresh the index is. Re-rendered bytes
 * that did not change keep their ETag, so clients still get 304s. While LISTEN is down changes could be
 * missed, so every (re)connection drops the whole cache.
 */
public final class CacheInvalidationVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(CacheInvalidationVerticle.class);

  private final ResponseCache cache;
  private final IndexFreshness freshness;
  private final PgConnectOptions database;
  private final int poolSize;
  private PgSubscriber subscriber;
  private volatile boolean stopping;

  public CacheInvalidationVerticle(ResponseCache cache, IndexFreshness freshness, PgConnectOptions database,
      int poolSize) {
    this.cache = cache;
    this.freshness = freshness;
    this.database = database;
    this.poolSize = poolSize;
  }

  @Override
  public Future<?> start() {
    Pool pool = SharedPool.create(vertx, database, poolSize);
    return new InboxStore(pool).lastApplied()
        .onSuccess(last -> {
          if (last != null) {
            freshness.eventApplied(last);
          }
        })
        .eventually(() -> pool.close())
        .compose(v -> listenForChanges());
  }

  private Future<Void> listenForChanges() {
    subscriber = PgSubscriber.subscriber(vertx, database).reconnectPolicy(retries -> 1000L);
    subscriber.channel(ChangeNotifications.CHANNEL)
        .subscribeHandler(v -> {
          cache.invalidateAll();
          LOG.debug("Listening for index changes; cached responses dropped in case one was missed");
        })
        .handler(payload -> apply(ChangeNotifications.parse(payload)));
    subscriber.closeHandler(v -> {
      if (!stopping) {
        LOG.warn("Stopped listening for index changes; cached responses may stay stale until it reconnects");
      }
    });
    return subscriber.connect();
  }

  private void apply(IndexChanged change) {
    if (!change.repositories().isEmpty()) {
      cache.invalidate(change.repositories());
      LOG.debug("Index changed in {}; cached responses that may include them dropped", change.repositories());
    }
    if (change.eventsApplied() > 0) {
      freshness.eventApplied(Instant.ofEpochMilli(change.committedAtMillis()));
    }
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }
}
