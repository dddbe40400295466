package org.flagstate.cache;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.flagstate.bus.Addresses;
import org.flagstate.bus.IndexChanged;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this process's {@link ResponseCache} honest: on every {@link IndexChanged} from the crawler it
 * drops the rendered responses. Re-rendered bytes that did not change keep their ETag, so clients of
 * unaffected queries still get 304s.
 */
public final class CacheInvalidationVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(CacheInvalidationVerticle.class);

  private final ResponseCache cache;

  public CacheInvalidationVerticle(ResponseCache cache) {
    this.cache = cache;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.INDEX_CHANGED, message -> {
      IndexChanged change = IndexChanged.fromJson(message.body());
      cache.invalidateAll();
      LOG.debug("Index changed in {}; cached responses dropped", change.repositories());
    }).completion();
  }
}
