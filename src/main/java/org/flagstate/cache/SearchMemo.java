package org.flagstate.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
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
 *
 * <p>Values about the whole index that every search of a kind needs (the facet groups, the token
 * ids) are kept beside the bounded cache, one per key, and replaced at the next generation: a run
 * of distinct texts must not evict them, or each search would read them again (about 100 ms at 100k
 * images). Their size is bounded by their callers (a quarter of {@code cache.search_bytes} for the
 * groups).
 */
public final class SearchMemo {

  private record Entry(Object value, long weight) {}

  private record IndexValue(long generation, Object value) {}

  private final Cache<String, Entry> entries;
  private final Map<String, IndexValue> wholeIndex = new ConcurrentHashMap<>();
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
    return computed(
        current,
        type,
        work,
        value -> entries.put(current, new Entry(value, 64 + bytes.applyAsLong(value))));
  }

  /**
   * The same for a value about the whole index, of which there is one per {@code key}: kept until
   * the index changes, whatever else is remembered meanwhile.
   */
  public <V> Future<V> rememberedForIndex(String key, Class<V> type, Supplier<Future<V>> work) {
    long at = generation.getAsLong();
    IndexValue kept = wholeIndex.get(key);
    if (kept != null && kept.generation() == at) {
      return Future.succeededFuture(type.cast(kept.value()));
    }
    return computed(
        at + " " + key,
        type,
        work,
        value ->
            wholeIndex.merge(
                key,
                new IndexValue(at, value),
                (old, computed) -> computed.generation() >= old.generation() ? computed : old));
  }

  /**
   * What {@code work} yields, kept by {@code keep} when it succeeds, and shared with every caller
   * that asks for {@code current} meanwhile.
   */
  private <V> Future<V> computed(
      String current, Class<V> type, Supplier<Future<V>> work, Consumer<V> keep) {
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
              keep.accept(done.result());
            }
          } finally {
            computing.remove(current, flight);
            Flights.settle(flight, done.result(), done.cause());
          }
        });
  }

  /**
   * The value kept under {@code key} for the index as it is, or null: what {@link
   * #rememberedForIndex} would answer at once, without computing it.
   */
  public <V> V keptForIndex(String key, Class<V> type) {
    IndexValue kept = wholeIndex.get(key);
    return kept != null && kept.generation() == generation.getAsLong()
        ? type.cast(kept.value())
        : null;
  }

  /** Whether a value is remembered under {@code key} for the index as it is. */
  public boolean remembers(String key) {
    long at = generation.getAsLong();
    IndexValue kept = wholeIndex.get(key);
    return (kept != null && kept.generation() == at)
        || entries.getIfPresent(at + " " + key) != null;
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
