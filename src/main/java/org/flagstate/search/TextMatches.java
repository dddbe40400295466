package org.flagstate.search;

/**
 * Every repository a search text matches ({@link RepositoryMatch}), in ranked order (or in none,
 * when read for {@code /api/v1/search} alone, which needs no ranking): read by one statement once
 * per index generation, kept in the node's search memo, and shared by {@code /v1/search}, which
 * pages through them, and {@code /api/v1/search}, which filters, counts and pages through them in
 * name order. So neither endpoint matches a text again for another page, page size or filter: a
 * broad prefix such as {@code co} matches thousands of repositories, and matching them is most of
 * what its first request costs. Only ids are kept (8 bytes a match, and 4 more for its relevance
 * when read unranked), so that a node keeps many texts' matches.
 */
public final class TextMatches {

  private final long[] ids;
  private final float[] relevance;
  private final long lastModifiedMillis;

  /**
   * @param ids the matches' ids, in ranked order when ranked (kept, not copied)
   * @param relevance each match's text relevance, when read unranked so that {@link TaggedNames}
   *     can rank them; else null
   * @param lastModifiedMillis when the data of the answer last changed: the newest match, or the
   *     last removal from the index
   */
  TextMatches(long[] ids, float[] relevance, long lastModifiedMillis) {
    this.ids = ids;
    this.relevance = relevance;
    this.lastModifiedMillis = lastModifiedMillis;
  }

  /** How many repositories match. */
  public int size() {
    return ids.length;
  }

  /** The id of the {@code i}th match (from 0): the match ranked {@code i}th when ranked. */
  public long id(int i) {
    return ids[i];
  }

  /** The text relevance of the {@code i}th match, as read unranked. */
  float relevance(int i) {
    return relevance[i];
  }

  /** Whether these matches were read with their relevance (and can be ranked in Java). */
  boolean hasRelevance() {
    return relevance != null;
  }

  /** When the data of an answer over all the matches last changed (0: unknown). */
  public long lastModifiedMillis() {
    return lastModifiedMillis;
  }

  /** About what these take of the heap. */
  long bytes() {
    return 64 + 8L * ids.length + (relevance == null ? 0 : 4L * relevance.length);
  }
}
