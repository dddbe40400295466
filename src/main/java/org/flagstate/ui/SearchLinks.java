package org.flagstate.ui;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.flagstate.api.ApiPage;
import org.flagstate.api.RepositorySearch;
import org.flagstate.http.Bytewise;

/**
 * The links of a search page: to the same search with one filter value added or dropped, to the
 * next and the first page. Parameters keep the JSON API's names and canonical order, so the page's
 * JSON equivalent is the same query string under {@code /api/v1/search}; the default {@code limit}
 * is left out.
 */
final class SearchLinks {

  /** The filter parameters, in canonical order. */
  static final List<String> FILTERS =
      List.of("architecture", "kind", "label", "mediaType", "namespace", "os");

  private final String base;
  private final String text;
  private final Map<String, SortedSet<String>> filters = new LinkedHashMap<>();
  private final int limit;

  /**
   * @param base the path of the search page, {@code <prefix>/search}
   */
  SearchLinks(String base, RepositorySearch search) {
    this.base = base;
    this.text = search.text();
    this.limit = search.page().limit();
    filters.put("architecture", search.architectures());
    filters.put("kind", search.kinds());
    filters.put("label", search.labels());
    filters.put("mediaType", search.mediaTypes());
    filters.put("namespace", search.namespaces());
    filters.put("os", search.oses());
  }

  SortedSet<String> selected(String parameter) {
    return filters.get(parameter);
  }

  /**
   * This search with {@code value} of {@code parameter} added, or dropped when it is there; first
   * page.
   */
  String toggled(String parameter, String value) {
    Map<String, SortedSet<String>> changed = new LinkedHashMap<>(filters);
    SortedSet<String> values = new TreeSet<>(Bytewise.ORDER);
    values.addAll(filters.get(parameter));
    if (!values.remove(value)) {
      values.add(value);
    }
    changed.put(parameter, values);
    return link(changed, null);
  }

  /** This search from the page after {@code cursor} (null: the first page). */
  String page(String cursor) {
    return link(filters, cursor);
  }

  private String link(Map<String, SortedSet<String>> values, String cursor) {
    StringBuilder query = new StringBuilder();
    if (text != null) {
      ApiPage.append(query, "q", text);
    }
    for (String parameter : FILTERS) {
      values.get(parameter).forEach(value -> ApiPage.append(query, parameter, value));
    }
    if (limit != ApiPage.DEFAULT_LIMIT) {
      ApiPage.append(query, "limit", Integer.toString(limit));
    }
    if (cursor != null) {
      ApiPage.append(query, "cursor", cursor);
    }
    return query.isEmpty() ? base : base + "?" + query;
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
