package org.flagstate.cache;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Collection;
import java.util.Iterator;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Rendered responses by canonical query, shared by every query verticle of this process. A miss renders
 * once however many requests wait for it; a change drops entries, and when a re-render yields the same
 * bytes the response keeps its ETag and Last-Modified, so clients' copies stay valid.
 */
public final class ResponseCache {

  private record Validators(String etag, long lastModifiedMillis) {}

  private final int maxEntries;
  private final Map<String, RenderedResponse> ready = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> scopes = new ConcurrentHashMap<>();
  private final Map<String, Future<RenderedResponse>> rendering = new ConcurrentHashMap<>();
  private final Map<String, Validators> lastServed = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();

  public ResponseCache(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  /** The ready response for {@code key}, or null. */
  public RenderedResponse cached(String key) {
    return ready.get(key);
  }

  /** The response for {@code key}, rendering it with {@code render} unless a render is already running. */
  public Future<RenderedResponse> get(String key, Supplier<Future<byte[]>> render) {
    return get(key, Set.of(), () -> render.get().map(RenderedBody::of));
  }

  /**
   * The same, for a response that can only change when one of {@code repositories} changes (empty:
   * when any repository changes).
   */
  public Future<RenderedResponse> get(String key, Set<String> repositories, Supplier<Future<RenderedBody>> render) {
    if (scopes.size() >= maxEntries * 4) {
      scopes.keySet().retainAll(ready.keySet());
    }
    scopes.put(key, Set.copyOf(repositories));
    RenderedResponse hit = ready.get(key);
    if (hit != null) {
      return Future.succeededFuture(hit);
    }
    Promise<RenderedResponse> promise = Promise.promise();
    Future<RenderedResponse> running = rendering.putIfAbsent(key, promise.future());
    if (running != null) {
      return running;
    }
    long startedAt = generation.get();
    Future<RenderedBody> body;
    try {
      body = render.get();
    } catch (RuntimeException e) {
      body = Future.failedFuture(e);
    }
    body.map(bytes -> remember(key, bytes, startedAt)).onComplete(done -> {
      rendering.remove(key, promise.future());
      promise.handle(done);
    });
    return promise.future();
  }

  private RenderedResponse remember(String key, RenderedBody body, long startedAt) {
    long now = System.currentTimeMillis();
    RenderedResponse fresh = RenderedResponse.of(body, now);
    Validators previous = lastServed.get(key);
    if (previous != null && previous.etag().equals(fresh.etag())) {
      fresh = fresh.withLastModified(previous.lastModifiedMillis());
    } else {
      if (lastServed.size() >= maxEntries * 4) {
        lastServed.clear();
      }
      lastServed.put(key, new Validators(fresh.etag(), fresh.lastModifiedMillis()));
    }
    if (generation.get() == startedAt) {
      evictIfFull();
      ready.put(key, fresh);
      if (generation.get() != startedAt) {
        // invalidateAll ran between the check and the put (another event loop): do not keep stale bytes
        ready.remove(key, fresh);
      }
    }
    return fresh;
  }

  private void evictIfFull() {
    Iterator<String> keys = ready.keySet().iterator();
    while (ready.size() >= maxEntries && keys.hasNext()) {
      keys.next();
      keys.remove();
    }
  }

  /**
   * Drops the responses that may include any of {@code repositories}: those limited to other
   * repositories stay. Renders already running are not cached.
   */
  public void invalidate(Collection<String> repositories) {
    generation.incrementAndGet();
    rendering.clear();
    ready.keySet().removeIf(key -> {
      Set<String> scope = scopes.getOrDefault(key, Set.of());
      return scope.isEmpty() || repositories.stream().anyMatch(scope::contains);
    });
  }

  /** Drops every rendered response: the next request for each renders from the database. */
  public void invalidateAll() {
    generation.incrementAndGet();
    ready.clear();
    rendering.clear();
  }

  public int size() {
    return ready.size();
  }
}
