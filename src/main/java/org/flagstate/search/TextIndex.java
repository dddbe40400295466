package org.flagstate.search;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every tagged repository's name, when it last changed, and the words of its search document, as a
 * node read them once per index generation: enough to find a text's matches ({@link
 * RepositoryMatch}) without asking the database. A broad prefix such as {@code te} matches 18,000
 * of 20,000 repositories at 100,000 images; reading them took PostgreSQL 23–29 ms on two cores
 * (every matching row visited and tested), which two concurrent first searches doubled past 50 ms,
 * while finding them here takes 1–2 ms.
 *
 * <p>The words are looked up by prefix in a sorted list of every distinct word, each with the
 * places of the repositories holding it. Only what is certain to match as PostgreSQL would is
 * answered ({@link #matchSet}): names that are lower-case ASCII (all that distribution allows) and
 * text words that {@code to_tsquery('simple', …)} keeps whole. Anything else is matched in SQL.
 */
public final class TextIndex {

  /**
   * Every tagged repository in name order (names are {@code COLLATE "C"}), its last change and
   * words, and when a repository last left the index: one statement, so one snapshot (the join
   * yields one row of nulls when no repository has tags).
   */
  static final String SQL =
      "select r.id, r.name, r.changed_at, tsvector_to_array(r.search_document), s.last_removal_at"
          + " from index_state s left join tagged_repository r on true order by r.name";

  /** What is kept when the index would take too much of the memo: nothing, every text in SQL. */
  static final TextIndex NONE =
      new TextIndex(
          TaggedNames.NONE, new long[0], 0, new byte[0], new int[0], new int[0], new int[0]);

  private final TaggedNames names;
  private final long[] changedAtMillis;
  private final long lastRemovalMillis;

  /** Every distinct word, in unsigned byte order, one after another ({@link #wordEnds}). */
  private final byte[] words;

  private final int[] wordEnds;

  /**
   * The places holding word {@code w}, ascending: {@code places[placeEnds[w-1] .. placeEnds[w])}.
   */
  private final int[] placeEnds;

  private final int[] places;

  private TextIndex(
      TaggedNames names,
      long[] changedAtMillis,
      long lastRemovalMillis,
      byte[] words,
      int[] wordEnds,
      int[] placeEnds,
      int[] places) {
    this.names = names;
    this.changedAtMillis = changedAtMillis;
    this.lastRemovalMillis = lastRemovalMillis;
    this.words = words;
    this.wordEnds = wordEnds;
    this.placeEnds = placeEnds;
    this.places = places;
  }

  /**
   * @param ids the repositories' ids, in name order
   * @param names their names, in the same order
   * @param changedAtMillis when each last changed
   * @param documentWords the words of each one's search document
   * @param lastRemovalMillis when a repository last left the index
   */
  static TextIndex of(
      long[] ids,
      String[] names,
      long[] changedAtMillis,
      String[][] documentWords,
      long lastRemovalMillis) {
    // each word gets an id in order of first sight, each posting is (word id, place) in place order
    Map<String, Integer> wordIds = new HashMap<>();
    int postings = 0;
    for (String[] each : documentWords) {
      postings += each.length;
    }
    int[] postingWords = new int[postings];
    int[] postingPlaces = new int[postings];
    int posting = 0;
    for (int place = 0; place < ids.length; place++) {
      for (String word : documentWords[place]) {
        postingWords[posting] = wordIds.computeIfAbsent(word, w -> wordIds.size());
        postingPlaces[posting++] = place;
      }
    }
    byte[][] encoded = new byte[wordIds.size()][];
    wordIds.forEach((word, id) -> encoded[id] = word.getBytes(StandardCharsets.UTF_8));
    Integer[] byBytes = new Integer[encoded.length];
    Arrays.setAll(byBytes, id -> id);
    Arrays.sort(byBytes, (a, b) -> Arrays.compareUnsigned(encoded[a], encoded[b]));
    int[] sortedPosition = new int[encoded.length];
    int[] wordEnds = new int[encoded.length];
    int length = 0;
    for (int w = 0; w < encoded.length; w++) {
      sortedPosition[byBytes[w]] = w;
      length += encoded[byBytes[w]].length;
      wordEnds[w] = length;
    }
    byte[] words = new byte[length];
    for (int w = 0; w < encoded.length; w++) {
      byte[] word = encoded[byBytes[w]];
      System.arraycopy(word, 0, words, wordEnds[w] - word.length, word.length);
    }
    // a counting sort by word keeps each word's places ascending
    int[] placeEnds = new int[encoded.length];
    for (int word : postingWords) {
      placeEnds[sortedPosition[word]]++;
    }
    int[] next = new int[encoded.length];
    for (int w = 1; w < encoded.length; w++) {
      next[w] = placeEnds[w - 1];
      placeEnds[w] += placeEnds[w - 1];
    }
    int[] places = new int[postings];
    for (int i = 0; i < postings; i++) {
      places[next[sortedPosition[postingWords[i]]]++] = postingPlaces[i];
    }
    return new TextIndex(
        new TaggedNames(ids, names),
        changedAtMillis,
        lastRemovalMillis,
        words,
        wordEnds,
        placeEnds,
        places);
  }

  static TextIndex of(RowSet<Row> rows) {
    int size = rows.size();
    long[] ids = new long[size];
    String[] names = new String[size];
    long[] changedAt = new long[size];
    String[][] documentWords = new String[size][];
    long lastRemoval = 0;
    int place = 0;
    for (Row row : rows) {
      lastRemoval = millis(row.getOffsetDateTime(4));
      if (row.getLong(0) == null) {
        continue; // no repository has tags
      }
      ids[place] = row.getLong(0);
      names[place] = row.getString(1);
      changedAt[place] = millis(row.getOffsetDateTime(2));
      documentWords[place] = row.getArrayOfStrings(3);
      place++;
    }
    return of(
        Arrays.copyOf(ids, place),
        Arrays.copyOf(names, place),
        Arrays.copyOf(changedAt, place),
        Arrays.copyOf(documentWords, place),
        lastRemoval);
  }

  private static long millis(OffsetDateTime at) {
    return at == null ? 0 : at.toInstant().toEpochMilli();
  }

  /** The names, in name order, that ranking a text's matches needs. */
  TaggedNames names() {
    return names;
  }

  /** About what this takes of the heap. */
  long bytes() {
    return names.bytes()
        + 8L * changedAtMillis.length
        + words.length
        + 8L * wordEnds.length
        + 4L * places.length;
  }

  /**
   * Every repository {@code match} matches, in name order and without relevance, as {@link
   * SearchReader}'s statement would find them; null when that cannot be told here for certain (a
   * name or the text is not lower-case ASCII, or a word of the text is one PostgreSQL's parser
   * might cut in two, such as {@code 1e5x}), so the caller asks the database.
   */
  TextMatches matchSet(RepositoryMatch match) {
    String lowerTerm = match.lowerTerm();
    // the text as sent, not lower-cased: Java lower-cases the Kelvin sign to k, lower() in "C" not
    if (this == NONE || !names.lowerAscii() || !isAscii(match.term())) {
      return null;
    }
    List<String> textWords = RepositoryMatch.words(match.term());
    List<byte[]> prefixes = new ArrayList<>(textWords.size());
    for (String word : textWords) {
      if (!keptWhole(word)) {
        return null;
      }
      prefixes.add(word.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }
    int size = names.size();
    boolean[] matched = prefixes.isEmpty() ? new boolean[size] : documentsWithAll(prefixes);
    byte[] term = lowerTerm.getBytes(StandardCharsets.US_ASCII);
    int count = 0;
    long newest = lastRemovalMillis;
    for (int place = 0; place < size; place++) {
      if (matched[place] || names.nameContains(place, term)) {
        matched[place] = true;
        count++;
        newest = Math.max(newest, changedAtMillis[place]);
      }
    }
    long[] ids = new long[count];
    for (int place = 0, i = 0; i < count; place++) {
      if (matched[place]) {
        ids[i++] = names.id(place);
      }
    }
    return new TextMatches(ids, null, newest);
  }

  /** The places whose document holds, for every prefix, a word starting with it. */
  private boolean[] documentsWithAll(List<byte[]> prefixes) {
    int size = names.size();
    int[] hits = new int[size];
    int round = 0;
    for (byte[] prefix : prefixes) {
      round++;
      int from = firstWordFrom(prefix);
      for (int w = from; w < wordEnds.length && startsWith(w, prefix); w++) {
        for (int at = w == 0 ? 0 : placeEnds[w - 1]; at < placeEnds[w]; at++) {
          // a place counts once per prefix, and only if it held every prefix before
          if (hits[places[at]] == round - 1) {
            hits[places[at]] = round;
          }
        }
      }
    }
    boolean[] all = new boolean[size];
    for (int place = 0; place < size; place++) {
      all[place] = hits[place] == round;
    }
    return all;
  }

  /** The first word not below {@code prefix} in unsigned byte order. */
  private int firstWordFrom(byte[] prefix) {
    int low = 0;
    int high = wordEnds.length;
    while (low < high) {
      int middle = (low + high) >>> 1;
      int start = middle == 0 ? 0 : wordEnds[middle - 1];
      if (Arrays.compareUnsigned(words, start, wordEnds[middle], prefix, 0, prefix.length) < 0) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }

  private boolean startsWith(int word, byte[] prefix) {
    int start = word == 0 ? 0 : wordEnds[word - 1];
    return wordEnds[word] - start >= prefix.length
        && Arrays.equals(words, start, start + prefix.length, prefix, 0, prefix.length);
  }

  /**
   * Whether {@code to_tsquery('simple', …)} keeps this word of a text whole, lower-cased: ASCII
   * letters and digits starting with a letter, or digits only. A word starting with a digit may be
   * cut where it reads as a number in scientific notation ({@code 1e5x} becomes {@code '1e5' <->
   * 'x'}).
   */
  static boolean keptWhole(String word) {
    boolean digitsOnly = true;
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      boolean letter = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
      boolean digit = c >= '0' && c <= '9';
      if (!letter && !digit) {
        return false;
      }
      digitsOnly &= digit;
    }
    char first = word.charAt(0);
    return digitsOnly || !(first >= '0' && first <= '9');
  }

  private static boolean isAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
