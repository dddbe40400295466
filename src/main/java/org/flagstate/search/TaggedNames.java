package org.flagstate.search;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;

/**
 * The name of every repository with tags, in bytewise name order, each at its place, and its place
 * by id, as a node read them once per index generation: what ranking a text's matches in Java needs
 * ({@link #ranked}), and what the JSON API's facet groups put matches in name order with. Ranking
 * them in SQL sorted every match by name on each text's first search: 72 against 31 ms for the
 * 18,000 matches of {@code te} at 100,000 images, most of a broad prefix's first {@code
 * /v1/search}.
 */
public final class TaggedNames {

  /** What is kept when the names would take too much of the memo: nothing to rank with. */
  static final TaggedNames NONE = new TaggedNames(new long[0], new String[0]);

  private final long[] ids;
  private final byte[] names;
  private final int[] nameEnds;
  private final int[] lastStarts;
  private final boolean lowerAscii;
  private final long[] sortedIds;
  private final int[] placeOfSorted;
  private final long firstId;
  private final int[] placeById;

  /**
   * @param ids the repositories' ids, in name order
   * @param names their names, in the same order
   */
  public TaggedNames(long[] ids, String[] names) {
    int size = ids.length;
    this.ids = ids;
    this.nameEnds = new int[size];
    this.lastStarts = new int[size];
    byte[][] encoded = new byte[size][];
    int length = 0;
    boolean allLowerAscii = true;
    for (int place = 0; place < size; place++) {
      encoded[place] = names[place].getBytes(StandardCharsets.UTF_8);
      // a char index: a byte offset too when every name is ASCII, the only case it is used in
      lastStarts[place] = length + names[place].lastIndexOf('/') + 1;
      length += encoded[place].length;
      nameEnds[place] = length;
      allLowerAscii &= isLowerAscii(names[place]);
    }
    this.lowerAscii = allLowerAscii;
    this.names = new byte[length];
    for (int place = 0; place < size; place++) {
      System.arraycopy(
          encoded[place],
          0,
          this.names,
          nameEnds[place] - encoded[place].length,
          encoded[place].length);
    }
    long lowest = Arrays.stream(ids).min().orElse(0);
    long span = Arrays.stream(ids).max().orElse(-1) - lowest + 1;
    this.firstId = lowest;
    // ids come from a sequence, so mostly dense: a place per id then costs a few bytes a
    // repository, and finding one no search; else the ids are searched in order
    if (size > 0 && span <= 4L * size + 1024) {
      placeById = new int[(int) span];
      Arrays.fill(placeById, -1);
      for (int place = 0; place < size; place++) {
        placeById[(int) (ids[place] - firstId)] = place;
      }
      sortedIds = null;
      placeOfSorted = null;
    } else {
      placeById = null;
      Integer[] byId = new Integer[size];
      Arrays.setAll(byId, place -> place);
      Arrays.sort(byId, Comparator.comparingLong(place -> ids[place]));
      sortedIds = new long[size];
      placeOfSorted = new int[size];
      for (int i = 0; i < size; i++) {
        sortedIds[i] = ids[byId[i]];
        placeOfSorted[i] = byId[i];
      }
    }
  }

  /** Whether there are no names to rank with (none kept). */
  boolean isEmpty() {
    return ids.length == 0;
  }

  /** About what these take of the heap. */
  public long bytes() {
    return 64
        + names.length
        + 20L * ids.length
        + (placeById == null ? 12L * ids.length : 4L * placeById.length);
  }

  /**
   * {@code matches} in {@link RepositoryMatch}'s ranked order (rank from the name, then relevance,
   * then name, as {@link RepositoryMatch#RANKED_ORDER} sorts them); null when a match is not among
   * these names (the index changed between the two readings), so the caller ranks in SQL.
   *
   * @param lowerTerm the search text, stripped and lower-cased as {@link RepositoryMatch} does
   */
  TextMatches ranked(TextMatches matches, String lowerTerm) {
    int size = matches.size();
    long[] keys = new long[size];
    // names as distribution allows them are lower-case ASCII: compared as bytes, without decoding
    byte[] term =
        lowerAscii && isLowerAscii(lowerTerm)
            ? lowerTerm.getBytes(StandardCharsets.US_ASCII)
            : null;
    for (int i = 0; i < size; i++) {
      int place = placeOf(matches.id(i));
      if (place < 0) {
        return null;
      }
      long rank = term == null ? rank(name(place), lowerTerm) : rank(place, term);
      long relevanceDescending = ~sortable(matches.relevance(i)) & 0xFFFF_FFFFL;
      // unsigned order of rank (2 bits), relevance descending (32 bits), place (30 bits), made
      // signed by flipping the top bit
      keys[i] = (rank << 62 | relevanceDescending << 30 | place) ^ Long.MIN_VALUE;
    }
    Arrays.sort(keys);
    long[] ranked = new long[size];
    for (int i = 0; i < size; i++) {
      ranked[i] = ids[(int) (keys[i] & 0x3FFF_FFFF)];
    }
    return new TextMatches(ranked, null, matches.lastModifiedMillis());
  }

  /** Whether the places fit the sort key of {@link #ranked}. */
  boolean rankable() {
    return ids.length < 1 << 30;
  }

  /** 0 name or last component equal to the text, 1 starting with it, 2 containing it, 3 neither. */
  static int rank(String name, String lowerTerm) {
    String lower = name.toLowerCase(Locale.ROOT);
    String last = lower.substring(lower.lastIndexOf('/') + 1);
    if (lower.equals(lowerTerm) || last.equals(lowerTerm)) {
      return 0;
    }
    if (lower.startsWith(lowerTerm) || last.startsWith(lowerTerm)) {
      return 1;
    }
    return lower.contains(lowerTerm) ? 2 : 3;
  }

  /** {@link #rank(String, String)} of the name at {@code place}, both lower-case ASCII. */
  private int rank(int place, byte[] term) {
    int start = place == 0 ? 0 : nameEnds[place - 1];
    int end = nameEnds[place];
    int last = lastStarts[place];
    if (end - start == term.length && startsWith(start, term)
        || end - last == term.length && startsWith(last, term)) {
      return 0;
    }
    if (end - start >= term.length && startsWith(start, term)
        || end - last >= term.length && startsWith(last, term)) {
      return 1;
    }
    for (int at = start + 1; at + term.length <= end; at++) {
      if (startsWith(at, term)) {
        return 2;
      }
    }
    return 3;
  }

  /** Whether every name is lower-case ASCII, so that {@link #nameContains} can answer. */
  boolean lowerAscii() {
    return lowerAscii;
  }

  /**
   * Whether the name at {@code place} contains {@code term}, lower-case ASCII as the names are
   * ({@link #lowerAscii}): {@code lower(name) like '%term%'}.
   */
  boolean nameContains(int place, byte[] term) {
    int end = nameEnds[place];
    byte first = term[0];
    for (int at = place == 0 ? 0 : nameEnds[place - 1]; at + term.length <= end; at++) {
      if (names[at] == first && startsWith(at, term)) {
        return true;
      }
    }
    return false;
  }

  private boolean startsWith(int at, byte[] term) {
    return Arrays.equals(names, at, at + term.length, term, 0, term.length);
  }

  private static boolean isLowerAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x80 || c >= 'A' && c <= 'Z') {
        return false;
      }
    }
    return true;
  }

  /** The bits of {@code value} as an int whose unsigned order is the float order. */
  private static int sortable(float value) {
    int bits = Float.floatToIntBits(value);
    return bits >= 0 ? bits ^ Integer.MIN_VALUE : ~bits;
  }

  /** How many repositories had tags when the names were read. */
  public int size() {
    return ids.length;
  }

  /** The place of the repository with {@code id}; -1 when it had no tags when they were read. */
  public int placeOf(long id) {
    if (placeById != null) {
      long at = id - firstId;
      return at < 0 || at >= placeById.length ? -1 : placeById[(int) at];
    }
    int at = Arrays.binarySearch(sortedIds, id);
    return at < 0 ? -1 : placeOfSorted[at];
  }

  public long id(int place) {
    return ids[place];
  }

  /**
   * The first place whose name follows {@code after}; 0 when {@code after} is null, {@link #size()}
   * when none does. UTF-8 byte order is {@code COLLATE "C"}'s.
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

  public String name(int place) {
    int start = place == 0 ? 0 : nameEnds[place - 1];
    return new String(names, start, nameEnds[place] - start, StandardCharsets.UTF_8);
  }
}
