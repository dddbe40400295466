package org.flagstate.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.flagstate.http.Bytewise;

/**
 * A validated {@code /api/v1/search}: an optional text (matched as {@code /v1/search} matches it,
 * by search's {@code RepositoryMatch}: a substring of the name, or word prefixes of name, title and
 * description) and image filters. Values of one filter are OR'ed, filters are AND'ed, and all
 * filters must hold for one image (tagged, or a member of a tagged list). Sets are sorted, so equal
 * searches have equal {@link #queryString}s and cache keys.
 *
 * @param text null when the search has no text
 */
public record RepositorySearch(
    String text,
    SortedSet<String> architectures,
    SortedSet<String> oses,
    SortedSet<String> labels,
    SortedSet<String> mediaTypes,
    SortedSet<String> kinds,
    SortedSet<String> namespaces,
    ApiPage page) {

  public RepositorySearch {
    architectures = sorted(architectures);
    oses = sorted(oses);
    labels = sorted(labels);
    mediaTypes = sorted(mediaTypes);
    kinds = sorted(kinds);
    namespaces = sorted(namespaces);
  }

  /**
   * The image filters that are set, each as the {@code facet:value} tokens the index stores of an
   * image (V6, V8): an image passes a filter when it has one of its tokens.
   */
  List<List<String>> imageFilterTokens() {
    List<List<String>> filters = new ArrayList<>();
    addTokens(filters, "architecture", architectures);
    addTokens(filters, "os", oses);
    addTokens(filters, "label", labels);
    addTokens(filters, "mediaType", mediaTypes);
    addTokens(filters, "kind", kinds);
    return List.copyOf(filters);
  }

  private static void addTokens(
      List<List<String>> filters, String facet, SortedSet<String> values) {
    if (!values.isEmpty()) {
      filters.add(values.stream().map(value -> facet + ":" + value).toList());
    }
  }

  boolean filtersImages() {
    return !imageFilterTokens().isEmpty();
  }

  /** True when any filter beside the text is set. */
  public boolean filters() {
    return filtersImages() || !namespaces.isEmpty();
  }

  /**
   * What tells match sets apart: the text and filters in canonical form, without the page (its
   * facets and total are the same on every page).
   */
  String matchSetKey() {
    return matchSetQuery().toString();
  }

  /**
   * The canonical query string of this search at the page given by {@code cursor} (null: the first
   * page): the cache key of its response and the target of its {@code Link}.
   */
  public String queryString(String cursor) {
    StringBuilder query = matchSetQuery();
    ApiPage.append(query, "limit", Integer.toString(page.limit()));
    if (cursor != null) {
      ApiPage.append(query, Cursor.PARAMETER, cursor);
    }
    return query.toString();
  }

  private StringBuilder matchSetQuery() {
    StringBuilder query = new StringBuilder();
    if (text != null) {
      ApiPage.append(query, "q", text);
    }
    architectures.forEach(value -> ApiPage.append(query, "architecture", value));
    kinds.forEach(value -> ApiPage.append(query, "kind", value));
    labels.forEach(value -> ApiPage.append(query, "label", value));
    mediaTypes.forEach(value -> ApiPage.append(query, "mediaType", value));
    namespaces.forEach(value -> ApiPage.append(query, "namespace", value));
    oses.forEach(value -> ApiPage.append(query, "os", value));
    return query;
  }

  private static SortedSet<String> sorted(Collection<String> values) {
    SortedSet<String> sorted = new TreeSet<>(Bytewise.ORDER);
    sorted.addAll(values);
    return java.util.Collections.unmodifiableSortedSet(sorted);
  }
}
