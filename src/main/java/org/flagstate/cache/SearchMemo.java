package org.flagstate.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * What searches remember per node while the index is unchanged: each text's matches in ranked
 * order, each match set's facet counts. Ranking and counting are what a broad search costs (a
 * two-letter text or a filter on {@code os=linux} can match every repository), and every page of
 * it, in every page size, would pay them again; remembered, the first page pays and the others read
 * only their own rows. Shared by the node's listener instances, so a search is not ranked once per
 * event loop. Bounded by {@code cache.search_bytes}; W-TinyLFU eviction keeps what is asked for
 * often through a run of one-off searches. A value is remembered under the index generation its
 * work started at, so one computed while the index changed is never read.
 */
public final class SearchMemo {

  private record Entry(Object value, long weight) {}

  private final Cache<String, Entry> entries;

  public SearchMemo(long maxBytes) {
    this.entries =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher(
                (String key, Entry entry) ->
                    (int) Math.min(Integer.MAX_VALUE, 2L * key.length() + entry.weight()))
            .build();
  }

  /** The value remembered under {@code key} at index generation {@code generation}, or null. */
  public <V> V get(long generation, String key, Class<V> type) {
    Entry entry = entries.getIfPresent(generation + " " + key);
    return entry == null ? null : type.cast(entry.value());
  }

  /**
   * Remembers {@code value}, which takes about {@code bytes} of heap, under {@code key} at the
   * generation its work started at.
   */
  public void put(long generation, String key, Object value, long bytes) {
    entries.put(generation + " " + key, new Entry(value, 64 + bytes));
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
