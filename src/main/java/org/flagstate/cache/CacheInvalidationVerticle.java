package org.flagstate.cache;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import org.flagstate.bus.Addresses;
import org.flagstate.bus.ChangeNotifications;
import org.flagstate.bus.IndexChanged;
import org.flagstate.db.SharedPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's {@link ResponseCache} honest: on every {@link IndexChanged} (from this node's crawler
 * over the event bus, or another node's over PostgreSQL NOTIFY) it drops exactly the rendered responses
 * that may include a changed repository, and it records how fresh the index is. Re-rendered bytes that did not change keep their ETag, so clients still get 304s.
 */
public final class CacheInvalidationVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(CacheInvalidationVerticle.class);
  private static final String LAST_APPLIED = "select max(applied_at) from inbox";

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
    return pool.query(LAST_APPLIED).execute()
        .onSuccess(rows -> {
          var last = rows.iterator().next().getOffsetDateTime(0);
          if (last != null) {
            freshness.eventApplied(last.toInstant());
          }
        })
        .eventually(() -> pool.close())
        .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.INDEX_CHANGED,
            message -> apply(IndexChanged.fromJson(message.body()))).completion())
        .compose(v -> listenToOtherNodes());
  }

  /** Changes committed by another node's crawler arrive by PostgreSQL NOTIFY; reconnects on its own. */
  private Future<Void> listenToOtherNodes() {
    subscriber = PgSubscriber.subscriber(vertx, database).reconnectPolicy(retries -> 1000L);
    subscriber.channel(ChangeNotifications.CHANNEL).handler(payload -> apply(ChangeNotifications.parse(payload)));
    subscriber.closeHandler(v -> {
      if (!stopping) {
        LOG.warn("Stopped listening for other nodes' index changes; their changes reach this node's cache late");
      }
    });
    return subscriber.connect().onFailure(failure -> LOG.warn(
        "Cannot listen for other nodes' index changes ({}); a single node works without it", failure.getMessage()))
        .otherwiseEmpty();
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
