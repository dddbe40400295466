package org.flagstate.cache;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import org.flagstate.bus.Addresses;
import org.flagstate.bus.ChangeNotifications;
import org.flagstate.bus.CrawlerBeat;
import org.flagstate.bus.IndexChanged;
import org.flagstate.bus.SequencedChange;
import org.flagstate.cluster.ChangeSequence;
import org.flagstate.db.SharedPool;
import org.flagstate.inbox.InboxStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's {@link ResponseCache} honest: every {@link IndexChanged} a crawler commits
 * (this node's or another's) reaches it exactly once, and it drops exactly the rendered responses
 * that may include a changed repository and records how fresh the index is. Re-rendered bytes that
 * did not change keep their ETag, so clients still get 304s. One path per mode:
 *
 * <ul>
 *   <li>not clustered: PostgreSQL NOTIFY, sent inside the committing transaction. While LISTEN is
 *       down changes could be missed, so every (re)connection drops the whole cache;
 *   <li>clustered: the crawling node's {@link SequencedChange}s on the event bus. A gap in their
 *       numbers, a new crawler term, or a crawler silent for {@link ChangeSequence#SILENCE} (this
 *       node is cut off, or no node crawls) drops the whole cache, the last once a beat until the
 *       crawler is heard again.
 * </ul>
 */
public final class CacheInvalidationVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(CacheInvalidationVerticle.class);

  private final ResponseCache cache;
  private final IndexFreshness freshness;
  private final PgConnectOptions database;
  private final int poolSize;
  private PgSubscriber subscriber;
  private volatile boolean stopping;
  private ChangeSequence sequence;
  private long silenceTimer = -1;
  private boolean cutOff;

  public CacheInvalidationVerticle(
      ResponseCache cache, IndexFreshness freshness, PgConnectOptions database, int poolSize) {
    this.cache = cache;
    this.freshness = freshness;
    this.database = database;
    this.poolSize = poolSize;
  }

  @Override
  public Future<?> start() {
    Pool pool = SharedPool.create(vertx, database, poolSize);
    return new InboxStore(pool)
        .lastApplied()
        .onSuccess(
            last -> {
              if (last != null) {
                freshness.eventApplied(last);
              }
            })
        .eventually(() -> pool.close())
        .compose(v -> vertx.isClustered() ? followTheCrawler() : listenForChanges());
  }

  private Future<Void> listenForChanges() {
    subscriber = PgSubscriber.subscriber(vertx, database).reconnectPolicy(retries -> 1000L);
    subscriber
        .channel(ChangeNotifications.CHANNEL)
        .subscribeHandler(
            v -> {
              cache.invalidateAll();
              LOG.debug(
                  "Listening for index changes; cached responses dropped in case one was missed");
            })
        .handler(payload -> apply(ChangeNotifications.parse(payload)));
    subscriber.closeHandler(
        v -> {
          if (!stopping) {
            LOG.warn(
                "Stopped listening for index changes; cached responses may stay stale until it reconnects");
          }
        });
    return subscriber.connect();
  }

  private Future<Void> followTheCrawler() {
    sequence = new ChangeSequence(System.nanoTime());
    silenceTimer = vertx.setPeriodic(ChangeSequence.BEAT_INTERVAL.toMillis(), id -> checkSilence());
    return vertx
        .eventBus()
        .<Object>consumer(Addresses.INDEX_CHANGED, this::changed)
        .completion()
        .compose(
            v ->
                vertx.eventBus().<Object>consumer(Addresses.CRAWLER_BEAT, this::beat).completion());
  }

  private void changed(Message<Object> message) {
    SequencedChange.read(message.body())
        .ifPresentOrElse(
            published -> {
              switch (sequence.change(published.term(), published.seq())) {
                case APPLY -> apply(published.change());
                default -> {
                  dropAll(
                      "a change may have been missed (crawler term "
                          + published.term()
                          + ", change "
                          + published.seq()
                          + ")");
                  apply(published.change());
                }
              }
            },
            () ->
                dropAll("a change message of another version or form arrived: " + message.body()));
  }

  private void beat(Message<Object> message) {
    CrawlerBeat.read(message.body())
        .ifPresentOrElse(
            beat -> {
              if (sequence.beat(beat.term(), beat.node(), beat.seq(), System.nanoTime())
                  == ChangeSequence.Verdict.DROP_ALL) {
                dropAll(
                    "the crawler on node "
                        + beat.node()
                        + " (term "
                        + beat.term()
                        + ") has published up to change "
                        + beat.seq()
                        + ", which this node has not all heard");
              }
              if (cutOff) {
                cutOff = false;
                LOG.info(
                    "Hearing the crawler on node {} again; cached responses are kept again",
                    beat.node());
              }
            },
            () ->
                LOG.debug("Ignored a crawler beat of another version or form: {}", message.body()));
  }

  private void checkSilence() {
    if (!sequence.silent(System.nanoTime())) {
      return;
    }
    if (!cutOff) {
      cutOff = true;
      LOG.warn(
          "No crawler heard for {} s (none holds the lock, or this node is cut off from it); cached responses "
              + "are dropped every {} s until one is heard",
          ChangeSequence.SILENCE.toSeconds(),
          ChangeSequence.BEAT_INTERVAL.toSeconds());
    }
    cache.invalidateAll();
  }

  private void dropAll(String reason) {
    cache.invalidateAll();
    LOG.debug("Cached responses dropped: {}", reason);
  }

  private void apply(IndexChanged change) {
    if (!change.repositories().isEmpty()) {
      cache.invalidate(change.repositories());
      LOG.debug(
          "Index changed in {}; cached responses that may include them dropped",
          change.repositories());
    }
    if (change.eventsApplied() > 0) {
      freshness.eventApplied(Instant.ofEpochMilli(change.committedAtMillis()));
    }
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(silenceTimer);
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }
}
