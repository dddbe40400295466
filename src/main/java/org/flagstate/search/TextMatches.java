package org.flagstate.search;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import org.flagstate.http.Bytewise;

/**
 * Every repository a search text matches ({@link RepositoryMatch}), read by one statement once per
 * index generation and kept in the node's search memo. {@code /v1/search} pages through them in
 * ranked order; {@code /api/v1/search} filters, counts and pages through them in name order. So
 * neither endpoint matches a text again for another page, page size or filter, and the two share
 * one reading: a broad prefix such as {@code co} matches thousands of repositories, and matching
 * them is most of what its first request costs.
 *
 * <p>Matches are kept in name order (an id, a change time and a UTF-8 name packed with the others,
 * about 50 bytes a match, so that a node keeps many texts' matches), with their ranked order
 * beside.
 */
public final class TextMatches {

  private final long[] ids;
  private final long[] changedMillis;
  private final byte[] names;
  private final int[] nameEnds;
  private final int[] ranked;
  private final long lastModifiedMillis;

  /**
   * @param ids the matches in ranked order
   * @param names their names, in the same order
   * @param changedMillis when each last changed, in the same order
   * @param lastModifiedMillis when the data of the answer last changed: the newest match, or the
   *     last removal from the index
   */
  TextMatches(long[] ids, String[] names, long[] changedMillis, long lastModifiedMillis) {
    if (names.length != ids.length || changedMillis.length != ids.length) {
      throw new IllegalArgumentException("every match needs an id, a name and a change time");
    }
    int size = ids.length;
    Integer[] byName = new Integer[size];
    Arrays.setAll(byName, position -> position);
    Arrays.sort(byName, Comparator.comparing(position -> names[position], Bytewise.ORDER));
    this.ids = new long[size];
    this.changedMillis = new long[size];
    this.nameEnds = new int[size];
    this.ranked = new int[size];
    ByteArrayOutputStream packed = new ByteArrayOutputStream();
    for (int k = 0; k < size; k++) {
      int position = byName[k];
      this.ids[k] = ids[position];
      this.changedMillis[k] = changedMillis[position];
      packed.writeBytes(names[position].getBytes(StandardCharsets.UTF_8));
      this.nameEnds[k] = packed.size();
      this.ranked[position] = k;
    }
    this.names = packed.toByteArray();
    this.lastModifiedMillis = lastModifiedMillis;
  }

  /** How many repositories match. */
  public int size() {
    return ids.length;
  }

  /** The id of the match ranked {@code rank}th (from 0). */
  public long rankedId(int rank) {
    return ids[ranked[rank]];
  }

  /** The id of the {@code k}th match in bytewise name order (from 0). */
  public long id(int k) {
    return ids[k];
  }

  /** The name of the {@code k}th match in name order. */
  public String name(int k) {
    int start = k == 0 ? 0 : nameEnds[k - 1];
    return new String(names, start, nameEnds[k] - start, StandardCharsets.UTF_8);
  }

  /** When the {@code k}th match in name order last changed, in epoch milliseconds. */
  public long changedMillis(int k) {
    return changedMillis[k];
  }

  /**
   * The first {@code k} whose match follows {@code after} in name order; 0 when {@code after} is
   * null, {@link #size()} when none follows. UTF-8 byte order is {@link Bytewise#ORDER}.
   */
  public int firstAfter(String after) {
    if (after == null) {
      return 0;
    }
    byte[] key = after.getBytes(StandardCharsets.UTF_8);
    int low = 0;
    int high = ids.length;
    while (low < high) {
      int middle = (low + high) >>> 1;
      int start = middle == 0 ? 0 : nameEnds[middle - 1];
      if (Arrays.compareUnsigned(names, start, nameEnds[middle], key, 0, key.length) <= 0) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }

  /** When the data of an answer over all the matches last changed (0: unknown). */
  public long lastModifiedMillis() {
    return lastModifiedMillis;
  }

  /** About what these take of the heap. */
  long bytes() {
    return 96 + names.length + (8L + 8 + 4 + 4) * ids.length;
  }
}
