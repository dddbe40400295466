package org.flagstate.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * What searches remember per node while the index is unchanged: each text's matches in ranked
 * order, each match set's facet counts, the facet groups searches without text are counted from.
 * Ranking and counting are what a broad search costs (a two-letter text or a filter on {@code
 * os=linux} can match every repository), and every page of it, in every page size, would pay them
 * again; remembered, the first page pays and the others read only their own rows. Shared by the
 * node's listener instances, so a search is not ranked once per event loop. Bounded by {@code
 * cache.search_bytes}; W-TinyLFU eviction keeps what is asked for often through a run of one-off
 * searches. A value is remembered under the index generation its work started at, so one computed
 * while the index changed is never read. Requests that want the same value at once share one
 * computation: the first searches after a change often ask together, and each would pay it.
 */
public final class SearchMemo {

  private record Entry(Object value, long weight) {}

  private final Cache<String, Entry> entries;
  private final Map<String, CompletableFuture<Object>> computing = new ConcurrentHashMap<>();
  private final LongSupplier generation;
  private final long maxBytes;

  /**
   * @param generation moves whenever the index changes (the response cache's {@link
   *     ResponseCache#generation()}), so a remembered value is used only while it is current
   */
  public SearchMemo(long maxBytes, LongSupplier generation) {
    this.generation = generation;
    this.maxBytes = maxBytes;
    this.entries =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher(
                (String key, Entry entry) ->
                    (int) Math.min(Integer.MAX_VALUE, 2L * key.length() + entry.weight()))
            .build();
  }

  /**
   * The value remembered under {@code key} for the index as it is; else what {@code work} yields,
   * remembered when it succeeds, and shared with every caller that asks for it meanwhile (each is
   * answered on its own context). {@code bytes} tells about how much of the heap a value takes.
   */
  public <V> Future<V> remembered(
      String key, Class<V> type, Supplier<Future<V>> work, ToLongFunction<V> bytes) {
    String current = generation.getAsLong() + " " + key;
    Entry entry = entries.getIfPresent(current);
    if (entry != null) {
      return Future.succeededFuture(type.cast(entry.value()));
    }
    CompletableFuture<Object> flight = new CompletableFuture<>();
    CompletableFuture<Object> running = computing.putIfAbsent(current, flight);
    if (running != null) {
      return Flights.onCallingContext(running).map(type::cast);
    }
    Future<V> computed;
    try {
      computed = work.get();
    } catch (RuntimeException e) {
      computed = Future.failedFuture(e);
    }
    return computed.andThen(
        done -> {
          try {
            if (done.succeeded()) {
              entries.put(current, new Entry(done.result(), 64 + bytes.applyAsLong(done.result())));
            }
          } finally {
            computing.remove(current, flight);
            Flights.settle(flight, done.result(), done.cause());
          }
        });
  }

  /** Whether a value is remembered under {@code key} for the index as it is. */
  public boolean remembers(String key) {
    return entries.getIfPresent(generation.getAsLong() + " " + key) != null;
  }

  /** The bound on what the remembered values weigh ({@code cache.search_bytes}). */
  public long maxBytes() {
    return maxBytes;
  }

  /** How many values are remembered (after pending evictions). */
  long size() {
    entries.cleanUp();
    return entries.estimatedSize();
  }

  /** What the remembered values weigh, against the bound (after pending evictions). */
  long weightedBytes() {
    entries.cleanUp();
    return entries.policy().eviction().orElseThrow().weightedSize().orElseThrow();
  }
}
