package org.flagstate.search;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.flagstate.db.SqlStatement;

/**
 * The one definition of which repositories a search text matches and how the matches rank, shared
 * by {@code /v1/search} (podman and docker) and {@code /api/v1/search} so the two cannot drift; and
 * of the full-text document the crawler stores per repository, whose words must be cut the way the
 * query's are.
 *
 * <p>A repository with at least one tag ({@code tag_count > 0}, kept by triggers on tag) matches
 * when its lower-cased name contains the text (trigram index on {@code lower(name)}, and one of its
 * two-character substrings for a two-character text), or when every word of the text is the start
 * of a word of its name, title or description ({@code to_tsquery('simple', 'caf:* & 日:*')} against
 * the GIN-indexed {@code search_document}), so a partly typed word finds it. Matches rank: the
 * whole name or its last path component equal to the text, then starting with it, then containing
 * it, then the rest; within a rank by text relevance ({@code ts_rank}), then by name.
 *
 * <p>Words are the runs of letters, digits and combining marks. PostgreSQL's parser would keep host
 * names, paths, versions, e-mail addresses, URLs and hyphenated words whole ({@code
 * org.gnome.builder}, {@code x86_64}); the document turns their glue into spaces first, so its
 * words are cut as the query's.
 */
public final class RepositoryMatch {

  /** Words of a text beyond this many are ignored. */
  public static final int MAX_WORDS = 16;

  /** A longer word is cut to this many characters (a shorter prefix still matches). */
  public static final int MAX_WORD_CHARS = 64;

  /** Characters PostgreSQL's text parser may glue words with; the document makes them spaces. */
  private static final String GLUE = "/-_.@:+~\\<>&;=?#%";

  /** Ranked order of the columns {@code rank}, {@code relevance} and {@code name}. */
  public static final String RANKED_ORDER = "rank, relevance desc, name";

  private final String term;
  private final String tsquery;

  private RepositoryMatch(String term) {
    this.term = term;
    this.tsquery = prefixQuery(term);
  }

  /** The match of a non-blank search text. */
  public static RepositoryMatch of(String term) {
    if (term == null || term.isBlank()) {
      throw new IllegalArgumentException("a search text is required");
    }
    return new RepositoryMatch(term.strip());
  }

  /**
   * SQL for the {@code search_document} of a repository, given SQL expressions for its name, title
   * and description (title and description may be null). The crawler stores it; searches match
   * against it.
   */
  public static String document(String name, String title, String description) {
    return "to_tsvector('simple', translate("
        + name
        + " || ' ' || coalesce("
        + title
        + ", '') || ' ' || coalesce("
        + description
        + ", ''), '"
        + GLUE
        + "', '"
        + " ".repeat(GLUE.length())
        + "'))";
  }

  /**
   * SQL: repository {@code alias} has at least one tag (only such a repository is in the index's
   * answers). The count is kept on the row by triggers on tag (V6), so this is no lookup in tag per
   * repository.
   */
  public static String hasTags(String alias) {
    return alias + ".tag_count > 0";
  }

  /**
   * SQL: when the data of an answer over a set of repositories last changed, given the SQL of the
   * newest change among them ({@code max(r.changed_at)}): that, or the last time a repository left
   * the index, whichever is later (a removal changes totals and listings too).
   */
  public static String lastModified(String newestChange) {
    return "greatest(" + newestChange + ", (select last_removal_at from index_state))";
  }

  /**
   * The text of a {@code to_tsquery('simple', …)} that matches a document holding, for every word
   * of {@code text}, a word that starts with it: {@code 'caf':* & '日本':*}. Null when {@code text}
   * has no word. Only letters, digits and marks reach the query, so no input can inject tsquery
   * operators.
   */
  public static String prefixQuery(String text) {
    List<String> words = words(text);
    if (words.isEmpty()) {
      return null;
    }
    StringBuilder query = new StringBuilder();
    for (String each : words) {
      if (!query.isEmpty()) {
        query.append(" & ");
      }
      query.append('\'').append(each).append("':*");
    }
    return query.toString();
  }

  /**
   * The distinct words of {@code text} that {@link #prefixQuery} looks for, in order: runs of
   * letters, digits and marks, at most {@link #MAX_WORDS}, each cut to {@link #MAX_WORD_CHARS}.
   */
  static List<String> words(String text) {
    Set<String> words = new LinkedHashSet<>();
    StringBuilder word = new StringBuilder();
    int length = text.length();
    for (int i = 0; i <= length && words.size() < MAX_WORDS; ) {
      int codePoint = i < length ? text.codePointAt(i) : ' ';
      if (isWordCharacter(codePoint)) {
        if (word.codePointCount(0, word.length()) < MAX_WORD_CHARS) {
          word.appendCodePoint(codePoint);
        }
      } else if (!word.isEmpty()) {
        words.add(word.toString());
        word.setLength(0);
      }
      i += Character.charCount(codePoint);
    }
    return List.copyOf(words);
  }

  private static boolean isWordCharacter(int codePoint) {
    if (Character.isLetterOrDigit(codePoint)) {
      return true;
    }
    int type = Character.getType(codePoint);
    return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK;
  }

  /** The search text, stripped. */
  public String term() {
    return term;
  }

  /** The search text, stripped and lower-cased, as names are compared with it. */
  String lowerTerm() {
    return term.toLowerCase(Locale.ROOT);
  }

  /**
   * The tsquery text of {@link #prefixQuery}, or null when the text has no word (only the name can
   * match).
   */
  public String tsquery() {
    return tsquery;
  }

  /** This match with its values added as parameters of {@code statement}. */
  public Bound bind(SqlStatement statement) {
    return new Bound(statement);
  }

  /**
   * The SQL of a match whose values are parameters of one statement; any alias of {@code
   * repository}.
   */
  public final class Bound {
    // Each value becomes a parameter when first used: PostgreSQL cannot type a parameter the
    // statement never mentions, and then fails every prepare of it once.
    private final SqlStatement statement;
    private final String lower;
    private String exact;
    private String startsWith;
    private String contains;
    private String bigram;
    private String query;

    private Bound(SqlStatement statement) {
      this.statement = statement;
      this.lower = lowerTerm();
    }

    private String exact() {
      if (exact == null) {
        exact = statement.param(lower) + "::text";
      }
      return exact;
    }

    private String startsWith() {
      if (startsWith == null) {
        startsWith = statement.param(likeEscaped(lower) + "%") + "::text";
      }
      return startsWith;
    }

    private String contains() {
      if (contains == null) {
        contains = statement.param("%" + likeEscaped(lower) + "%") + "::text";
      }
      return contains;
    }

    /** The two-character text as a one-element array, or null for another length. */
    private String bigram() {
      if (bigram == null && lower.codePointCount(0, lower.length()) == 2) {
        bigram = "array[" + statement.param(lower) + "::text]";
      }
      return bigram;
    }

    /** Null when the text has no word. */
    private String query() {
      if (query == null && tsquery != null) {
        query = "to_tsquery('simple', " + statement.param(tsquery) + "::text)";
      }
      return query;
    }

    /** SQL: repository {@code alias} has tags and matches ({@link #matches}). */
    public String condition(String alias) {
      return hasTags(alias) + " and " + matches(alias);
    }

    /**
     * SQL: the row {@code alias} of {@code repository} or {@code tagged_repository} (V11: the same
     * search columns and indexes, narrower rows) matches. A name contains a text of three
     * characters or more when its trigram index says so; one of two characters when its index of
     * two-character substrings does (V9); one character is looked for in every name.
     */
    public String matches(String alias) {
      String names =
          bigram() == null
              ? "lower(" + alias + ".name) like " + contains() + " escape '\\'"
              : alias + ".name_bigrams @> " + bigram();
      return "("
          + names
          + (query() == null ? "" : " or " + alias + ".search_document @@ " + query())
          + ")";
    }

    /**
     * SQL columns {@code rank} (0 exact name, 1 name prefix, 2 name substring, 3 text) and {@code
     * relevance}.
     */
    public String rankColumns(String alias) {
      return rank(alias) + " as rank, " + relevance(alias) + " as relevance";
    }

    /**
     * SQL: the rank of repository {@code alias} (0 exact name, 1 name prefix, 2 name substring, 3
     * text only), from its name alone; the last path component is the stored {@code
     * name_last_lower} column.
     */
    public String rank(String alias) {
      String name = "lower(" + alias + ".name)";
      String last = alias + ".name_last_lower";
      return "case when "
          + name
          + " = "
          + exact()
          + " or "
          + last
          + " = "
          + exact()
          + " then 0"
          + " when "
          + name
          + " like "
          + startsWith()
          + " escape '\\' or "
          + last
          + " like "
          + startsWith()
          + " escape '\\' then 1"
          + " when "
          + name
          + " like "
          + contains()
          + " escape '\\' then 2"
          + " else 3 end";
    }

    /**
     * SQL: the text relevance of a row {@code alias} with a {@code search_document} column ({@code
     * ts_rank}, the more and the denser the matching words, the higher), or 0 when the text has no
     * word.
     */
    public String relevance(String alias) {
      return query() == null
          ? "0::real"
          : "ts_rank(" + alias + ".search_document, " + query() + ")";
    }
  }

  static String likeEscaped(String term) {
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
