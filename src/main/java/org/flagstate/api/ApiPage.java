package org.flagstate.api;

/**
 * Which page of a repository listing to answer: at most {@code limit} repositories, starting after
 * repository {@code after} (bytewise), or from the first when {@code after} is null.
 */
public record ApiPage(int limit, String after) {

  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 100;

  public ApiPage {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit out of range: " + limit);
    }
  }

  /** The canonical query string of the listing page at {@code cursor} (null: the first page). */
  String queryString(String cursor) {
    StringBuilder query = new StringBuilder();
    append(query, "limit", Integer.toString(limit));
    if (cursor != null) {
      append(query, Cursor.PARAMETER, cursor);
    }
    return query.toString();
  }

  /** Appends {@code key=value}, form-encoded, to a query string. */
  public static void append(StringBuilder query, String key, String value) {
    if (!query.isEmpty()) {
      query.append('&');
    }
    query
        .append(key)
        .append('=')
        .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The cursor of this page, or null for the first one. */
  public String cursor() {
    return after == null ? null : Cursor.after(after);
  }
}
