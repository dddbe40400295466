package org.flagstate.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Rendered responses by canonical query, shared by every query verticle of this process, so that
 * the database renders a query once however many clients ask for it.
 *
 * <p>Memory is bounded in bytes ({@code cache.max_bytes}), both encodings counted. Caffeine's
 * W-TinyLFU decides what stays: a small recency window admits new responses, and an entry leaves it
 * for the main space only if it was asked for more often than the one it would replace, so a flood
 * of one-off queries does not push out a popular one. A body above {@code cache.max_body_bytes} is
 * sent but not kept.
 *
 * <p>A miss renders once however many requests wait for it, and every waiter is answered on its own
 * Vert.x context. A change drops the entries that may include a changed repository, and a render
 * that was running when it arrived is not kept. When a re-render yields the same bytes the response
 * keeps its ETag (derived from the bytes) and its Last-Modified, so clients' copies stay valid: the
 * renderer's {@link RenderedBody#lastModifiedMillis() time the data changed} when it knows one (the
 * same on every node and after eviction), else the time these bytes were first rendered here.
 *
 * <p>What an invalidation drops is kept a while longer as the "last good" answer, in a second store
 * bounded by a quarter of {@code cache.max_bytes}: while the database is unavailable or refuses
 * more work, {@link #lastGood} lets a slightly stale answer be served instead of an error (the
 * index is a shadow of the registry anyway).
 */
public final class ResponseCache {

  /**
   * Memory an entry holds beside its body bytes and strings: Caffeine's node, the map node, the
   * entry and its scope set, the response, per buffer the Vert.x and Netty wrappers, two
   * DirectByteBuffers, a Cleaner and a malloc header, and the ETag and date strings. Measured with
   * JOL on JDK 17 (compressed oops): 1,047 bytes of heap, plus about 16 per off-heap buffer.
   */
  static final int ENTRY_OVERHEAD = 1_080;

  /**
   * Heap of a String beside its characters (Latin-1, as keys, header values and names are), padded.
   */
  static final int STRING_OVERHEAD = 48;

  /**
   * One remembered ETag per this many bytes of {@code cache.max_bytes}: 16,384 by default, about 4
   * MiB with 45-character keys (measured: 255 bytes each).
   */
  private static final int BYTES_PER_REMEMBERED_ETAG = 16_384;

  private record Validators(String etag, long lastModifiedMillis) {}

  /**
   * A kept response and the repositories it may include (empty: any); {@code staleSinceMillis} is
   * when a change made it stale (0 while it is current).
   */
  private record Entry(RenderedResponse response, Set<String> scope, long staleSinceMillis) {

    Entry stale() {
      return new Entry(response, scope, System.currentTimeMillis());
    }
  }

  /**
   * The last good answer of a key and since when it is stale: what a client is told about its age.
   */
  public record LastGood(RenderedResponse response, long staleSinceMillis) {}

  private final long maxBytes;
  private final long maxBodyBytes;
  private final WorkerExecutor renders;
  private final Cache<String, Entry> ready;

  /**
   * Renders in flight, outside Caffeine: an AsyncCache weighs an in-flight future 0, its window
   * adaptation then moves such nodes to probation, and their weight landing counts as an access
   * that promotes them to protected without admission, so one-off queries crowd out popular ones.
   */
  private final Map<String, CompletableFuture<RenderedResponse>> rendering =
      new ConcurrentHashMap<>();

  private final Cache<String, Validators> lastServed;
  private final Cache<String, Entry> lastGood;
  private final AtomicLong generation = new AtomicLong();

  /**
   * @param maxBytes what the kept responses may weigh together
   * @param maxBodyBytes the largest body kept; a larger one is sent without being kept
   */
  public ResponseCache(long maxBytes, long maxBodyBytes) {
    this(maxBytes, maxBodyBytes, ForkJoinPool.commonPool(), null);
  }

  /**
   * @param renders where the work of turning a render into a response runs (hashing, gzip, copying
   *     to direct memory; see {@link #offload}): a small worker pool, so a flood of large uncached
   *     renders cannot take the event loops from cached requests
   */
  public ResponseCache(long maxBytes, long maxBodyBytes, WorkerExecutor renders) {
    this(maxBytes, maxBodyBytes, ForkJoinPool.commonPool(), renders);
  }

  /**
   * @param maintenance runs Caffeine's eviction; {@code Runnable::run} makes it deterministic in
   *     tests
   */
  ResponseCache(long maxBytes, long maxBodyBytes, Executor maintenance) {
    this(maxBytes, maxBodyBytes, maintenance, null);
  }

  private ResponseCache(
      long maxBytes, long maxBodyBytes, Executor maintenance, WorkerExecutor renders) {
    this.renders = renders;
    this.maxBytes = maxBytes;
    this.maxBodyBytes = maxBodyBytes;
    this.ready =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher(ResponseCache::weigh)
            .executor(maintenance)
            .recordStats()
            .build();
    this.lastGood =
        Caffeine.newBuilder()
            .maximumWeight(Math.max(1, maxBytes / 4))
            .weigher(ResponseCache::weigh)
            .executor(maintenance)
            .build();
    this.lastServed =
        Caffeine.newBuilder()
            .maximumSize(Math.max(256, maxBytes / BYTES_PER_REMEMBERED_ETAG))
            .executor(maintenance)
            .build();
  }

  /**
   * How many changes this cache has seen: a value derived from the index and remembered elsewhere
   * is current while this number has not moved since it was derived.
   */
  public long generation() {
    return generation.get();
  }

  /** The ready response for {@code key}, or null. */
  public RenderedResponse cached(String key) {
    Entry entry = ready.getIfPresent(key);
    return entry == null ? null : entry.response();
  }

  /**
   * The response for {@code key}, rendering it with {@code render} unless a render is already
   * running.
   */
  public Future<RenderedResponse> get(String key, Supplier<Future<byte[]>> render) {
    return get(key, Set.of(), () -> render.get().map(RenderedBody::of));
  }

  /**
   * The same, for a response that can only change when one of {@code repositories} changes (empty:
   * when any repository changes). The returned future completes on the caller's Vert.x context.
   */
  public Future<RenderedResponse> get(
      String key, Set<String> repositories, Supplier<Future<RenderedBody>> render) {
    return get(key, repositories, render, Supplier::get);
  }

  /**
   * Decides when the uncached work of a miss may run (admission control); {@code Supplier::get}
   * runs it at once.
   */
  @FunctionalInterface
  public interface Admission {
    Future<RenderedResponse> submit(Supplier<Future<RenderedResponse>> work);
  }

  /**
   * The same, the work of a miss run when {@code admission} allows: all of it, the render and the
   * turning of its body into a response (hash, gzip, copy to direct memory), so that a bound on
   * uncached work also bounds the rendered bodies waiting for the render workers.
   */
  public Future<RenderedResponse> get(
      String key,
      Set<String> repositories,
      Supplier<Future<RenderedBody>> render,
      Admission admission) {
    RenderedResponse hit = cached(key);
    if (hit != null) {
      return Future.succeededFuture(hit);
    }
    long startedAt = generation.get();
    CompletableFuture<RenderedResponse> flight = new CompletableFuture<>();
    CompletableFuture<RenderedResponse> running = rendering.putIfAbsent(key, flight);
    if (running != null) {
      return Flights.onCallingContext(running);
    }
    Set<String> scope = Set.copyOf(repositories);
    Future<RenderedResponse> response;
    try {
      response =
          admission.submit(
              () ->
                  render
                      .get()
                      .compose(
                          rendered ->
                              offload(rendered.bytes().length(), () -> remember(key, rendered))));
    } catch (RuntimeException e) {
      response = Future.failedFuture(e);
    }
    response.onComplete(done -> land(key, scope, startedAt, flight, done));
    return Flights.onCallingContext(flight);
  }

  /**
   * Work on a body of about this many bytes or more (rendering it, its hash and gzip) runs on the
   * render workers; smaller work costs less than the hand-over and stays on the event loop, so a
   * small answer never queues behind a large render.
   */
  public static final int OFFLOAD_FROM_BYTES = 64 * 1024;

  /**
   * Runs CPU-heavy work of a render on the render workers when it handles about {@code bytes} bytes
   * or more ({@link #OFFLOAD_FROM_BYTES}), completing on the caller's context; inline below that,
   * or when this cache has no workers (tests). Cached answers never wait for it.
   */
  public <T> Future<T> offload(long bytes, Callable<T> work) {
    if (renders == null || bytes < OFFLOAD_FROM_BYTES) {
      try {
        return Future.succeededFuture(work.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return renders.executeBlocking(work, false);
  }

  /**
   * Answers the requests waiting for {@code flight}, keeping the response if {@link #keep} allows.
   */
  private void land(
      String key,
      Set<String> scope,
      long startedAt,
      CompletableFuture<RenderedResponse> flight,
      AsyncResult<RenderedResponse> done) {
    Throwable failure = done.cause();
    RenderedResponse response = done.result();
    if (failure == null) {
      keep(key, new Entry(response, scope, 0), startedAt);
    }
    rendering.remove(key, flight);
    Flights.settle(flight, response, failure);
  }

  /** Keeps {@code entry} unless it is too large or a change arrived since its render started. */
  private void keep(String key, Entry entry, long startedAt) {
    if (entry.response().identity().length() > maxBodyBytes
        || weigh(key, entry) > maxBytes
        || generation.get() != startedAt) {
      return;
    }
    ready.put(key, entry);
    lastGood.invalidate(key);
    if (generation.get() != startedAt) {
      // the change arrived between the check and the put, perhaps after invalidate looked at this
      // key
      ready.asMap().remove(key, entry);
    }
  }

  private RenderedResponse remember(String key, RenderedBody body) {
    if (body.lastModifiedMillis() > 0) {
      return RenderedResponse.of(body, body.lastModifiedMillis());
    }
    RenderedResponse fresh = RenderedResponse.of(body, System.currentTimeMillis());
    Validators previous = lastServed.getIfPresent(key);
    if (previous != null && previous.etag().equals(fresh.etag())) {
      return fresh.withLastModified(previous.lastModifiedMillis());
    }
    lastServed.put(key, new Validators(fresh.etag(), fresh.lastModifiedMillis()));
    return fresh;
  }

  private static int weigh(String key, Entry entry) {
    RenderedResponse response = entry.response();
    long bytes =
        ENTRY_OVERHEAD
            + STRING_OVERHEAD
            + key.length()
            + response.identity().length()
            + response.gzip().length();
    for (Map.Entry<String, String> header : response.headers().entrySet()) {
      bytes += 2 * STRING_OVERHEAD + header.getKey().length() + header.getValue().length();
    }
    for (String repository : entry.scope()) {
      bytes += STRING_OVERHEAD + repository.length();
    }
    return (int) Math.min(Integer.MAX_VALUE, bytes);
  }

  /**
   * Drops the responses that may include any of {@code repositories}: those limited to other
   * repositories stay. Renders already running are not kept, and later requests do not wait for
   * them.
   */
  public void invalidate(Collection<String> repositories) {
    generation.incrementAndGet();
    rendering.clear();
    ready
        .asMap()
        .entrySet()
        .removeIf(
            kept -> {
              boolean stale = mayInclude(kept.getValue().scope(), repositories);
              if (stale) {
                lastGood.put(kept.getKey(), kept.getValue().stale());
              }
              return stale;
            });
  }

  /**
   * The last answer for {@code key} that was good before a change made it stale, for when no fresh
   * one can be rendered; null when none is known.
   */
  public LastGood lastGood(String key) {
    Entry entry = lastGood.getIfPresent(key);
    return entry == null ? null : new LastGood(entry.response(), entry.staleSinceMillis());
  }

  private static boolean mayInclude(Set<String> scope, Collection<String> repositories) {
    return scope.isEmpty() || repositories.stream().anyMatch(scope::contains);
  }

  /** Drops every rendered response: the next request for each renders from the database. */
  public void invalidateAll() {
    generation.incrementAndGet();
    rendering.clear();
    ready.asMap().forEach((key, entry) -> lastGood.put(key, entry.stale()));
    ready.invalidateAll();
  }

  /**
   * Reports hits, misses, evictions and size of the kept responses ({@code
   * cache_*{cache="responses"}}), their weight ({@code flagstate_cache_bytes}) and how many index
   * changes dropped responses and remembered searches ({@code flagstate_cache_generation}).
   */
  public void registerMetrics(MeterRegistry meters) {
    CaffeineCacheMetrics.monitor(meters, ready, "responses");
    Gauge.builder("flagstate.cache.bytes", this, ResponseCache::weightedBytes)
        .baseUnit("bytes")
        .description("What the kept rendered responses weigh, counted against cache.max_bytes")
        .register(meters);
    Gauge.builder("flagstate.cache.generation", this, ResponseCache::generation)
        .description(
            "Index changes this node has seen since it started; each drops the cached responses"
                + " and remembered searches it may affect")
        .register(meters);
  }

  /** How many responses are kept. */
  public int size() {
    return (int) Math.min(Integer.MAX_VALUE, ready.estimatedSize());
  }

  /**
   * What the kept responses weigh together, in bytes, as counted against {@code cache.max_bytes}.
   */
  public long weightedBytes() {
    return ready.policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  /** Runs pending evictions now rather than at Caffeine's next maintenance. */
  void cleanUp() {
    ready.cleanUp();
    lastGood.cleanUp();
    lastServed.cleanUp();
  }
}
