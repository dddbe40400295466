package org.flagstate.search;

import org.flagstate.http.InvalidQueryException;
import org.flagstate.http.QueryStrings;

/**
 * A validated {@code /v1/search} request: a non-empty term, page size 1..100 (default 25), page
 * from 1.
 */
public record SearchRequest(String term, int pageSize, int page) {

  public static final int DEFAULT_PAGE_SIZE = 25;
  public static final int MAX_PAGE_SIZE = 100;
  private static final int MAX_TERM = 256;

  public static SearchRequest parse(String rawQuery) {
    String term = null;
    int pageSize = DEFAULT_PAGE_SIZE;
    int page = 1;
    for (QueryStrings.Term parameter : QueryStrings.parse(rawQuery, 8, 2048)) {
      switch (parameter.key()) {
        case "q" -> term = parameter.value().strip();
        case "n" -> pageSize = QueryStrings.wholeNumber("n", parameter.value(), 1, MAX_PAGE_SIZE);
        case "page" -> page = QueryStrings.wholeNumber("page", parameter.value(), 1, 100_000);
        default ->
            throw new InvalidQueryException(
                parameter.key(),
                "unknown parameter '" + parameter.key() + "'; search takes q, n and page");
      }
    }
    if (term == null || term.isEmpty()) {
      throw new InvalidQueryException(
          "q", "parameter 'q' (the search term) is required and must not be empty");
    }
    if (term.length() > MAX_TERM) {
      throw new InvalidQueryException(
          "q", "the search term is longer than " + MAX_TERM + " characters");
    }
    return new SearchRequest(term, pageSize, page);
  }

  public String cacheKey() {
    return "search:" + pageSize + ":" + page + ":" + term;
  }
}
