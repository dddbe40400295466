package org.flagstate.api;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.flagstate.cache.SearchMemo;
import org.flagstate.db.SharedPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares what every search starts from (the facet groups, and the text index a text's matches are
 * found and ranked with) once the index has settled after a change (and at start), the way a search
 * engine warms a new searcher before it serves. Without it the first searches after each change
 * wait for the facet groups: about 100 ms at 100,000 images on two cores, and a client that sends
 * its first searches at once saw p99 rise from 21 to 87 ms over the next 10 s. Settled means no
 * change for {@link #QUIET}: during a crawl, which changes the index many times a second, nothing
 * is read that the next change would make stale. One instance per node: the memo it fills is the
 * node's.
 */
public final class SearchWarmupVerticle extends VerticleBase {

  /** How long the index stays unchanged before the groups are read again. */
  public static final Duration QUIET = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(SearchWarmupVerticle.class);
  private static final long CHECK_MILLIS = 250;

  private final SearchMemo memo;
  private final LongSupplier generation;
  private final PgConnectOptions database;
  private final int poolSize;
  private final Duration quiet;
  private ApiReader reader;
  private long timer = -1;
  private long seen = Long.MIN_VALUE;
  private long seenSinceNanos;
  private long prepared = Long.MIN_VALUE;
  private boolean preparing;

  /**
   * @param generation moves whenever the index changes (the response cache's)
   */
  public SearchWarmupVerticle(
      SearchMemo memo, LongSupplier generation, PgConnectOptions database, int poolSize) {
    this(memo, generation, database, poolSize, QUIET);
  }

  SearchWarmupVerticle(
      SearchMemo memo,
      LongSupplier generation,
      PgConnectOptions database,
      int poolSize,
      Duration quiet) {
    this.memo = memo;
    this.generation = generation;
    this.database = database;
    this.poolSize = poolSize;
    this.quiet = quiet;
  }

  @Override
  public Future<?> start() {
    Pool pool = SharedPool.create(vertx, database, poolSize);
    reader = new ApiReader(pool, memo);
    timer = vertx.setPeriodic(CHECK_MILLIS, id -> check());
    return Future.succeededFuture();
  }

  private void check() {
    long current = generation.getAsLong();
    long now = System.nanoTime();
    if (current != seen) {
      seen = current;
      seenSinceNanos = now;
      return;
    }
    if (preparing || current == prepared || now - seenSinceNanos < quiet.toNanos()) {
      return;
    }
    preparing = true;
    reader
        .prepareSearches()
        .onComplete(
            done -> {
              preparing = false;
              if (done.succeeded()) {
                prepared = current;
                LOG.debug(
                    "Searches are prepared for index generation {} ({} ms)",
                    current,
                    (System.nanoTime() - now) / 1_000_000);
              } else {
                // tried again once the index has been quiet for as long again
                seenSinceNanos = System.nanoTime();
                LOG.debug("Could not prepare searches: {}", done.cause().getMessage());
              }
            });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
