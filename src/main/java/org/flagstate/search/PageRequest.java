package org.flagstate.search;

import org.flagstate.http.InvalidQueryException;
import org.flagstate.http.QueryStrings;

/**
 * {@code n} and {@code last} of distribution's catalog and tag listing: at most {@code n} names
 * sorted after {@code last} (bytewise). A bad {@code n} is distribution's
 * PAGINATION_NUMBER_INVALID.
 */
public record PageRequest(int n, String last) {

  public static final int DEFAULT_N = 100;
  public static final int MAX_N = 1000;

  public static PageRequest parse(String rawQuery) {
    int n = DEFAULT_N;
    String last = null;
    for (QueryStrings.Term parameter : QueryStrings.parse(rawQuery, 4, 2048)) {
      switch (parameter.key()) {
        case "n" -> n = QueryStrings.wholeNumber("n", parameter.value(), 1, MAX_N);
        case "last" -> last = parameter.value().isEmpty() ? null : parameter.value();
        default ->
            throw new InvalidQueryException(
                parameter.key(),
                "unknown parameter '" + parameter.key() + "'; listing takes n and last");
      }
    }
    return new PageRequest(n, last);
  }
}
