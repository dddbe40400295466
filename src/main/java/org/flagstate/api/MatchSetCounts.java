package org.flagstate.api;

import java.util.List;
import java.util.Map;

/**
 * The facets, total and last change of a match set, kept while the index has not changed: they are
 * the same on every page, so paging through a large match set counts them once.
 *
 * @param facets facet → value → repositories; each facet of {@link #FACETS} present
 * @param estimated true when the facets were scaled from a sample ({@link
 *     ApiReader#FACETS_EXACT_UP_TO}); the total is always exact
 */
record MatchSetCounts(
    Map<String, Map<String, Long>> facets, boolean estimated, long total, long lastModifiedMillis) {

  /** The facets counted, in the order the API lists them. */
  static final List<String> FACETS =
      List.of("architecture", "os", "label", "mediaType", "kind", "namespace");

  /** About what these take of the heap: a map entry, a string and a boxed count per value. */
  long bytes() {
    long bytes = 0;
    for (Map<String, Long> values : facets.values()) {
      for (String value : values.keySet()) {
        bytes += 96 + 2L * value.length();
      }
    }
    return bytes;
  }
}
