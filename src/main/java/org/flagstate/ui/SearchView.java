package org.flagstate.ui;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.flagstate.api.ApiReader;
import org.flagstate.api.Cursor;
import org.flagstate.api.ImageKind;
import org.flagstate.api.RepositorySearch;

/**
 * Builds the search page from the JSON API's search result: the results as cards, the facets a
 * person narrows by (kind, architecture, OS, namespace) with links that toggle each value, the
 * filters in force, and the paging links.
 */
final class SearchView {

  /** Values shown per facet at most (selected ones always are). */
  static final int MAX_FACET_VALUES = 12;

  private SearchView() {}

  static Views.Search of(Page page, RepositorySearch search, ApiReader.SearchPage result) {
    SearchLinks links = new SearchLinks(page.href("/search"), search);
    List<Views.Facet> facets = new ArrayList<>();
    facets.add(facet("kind", "Kind", result.facets().get("kind"), links));
    facets.add(facet("architecture", "Architecture", result.facets().get("architecture"), links));
    facets.add(facet("os", "OS", result.facets().get("os"), links));
    facets.add(facet("namespace", "Namespace", result.facets().get("namespace"), links));
    List<Views.Filter> filters = new ArrayList<>();
    for (String parameter : SearchLinks.FILTERS) {
      for (String value : links.selected(parameter)) {
        filters.add(
            new Views.Filter(
                title(parameter) + ": " + label(parameter, value),
                links.toggled(parameter, value)));
      }
    }
    String next =
        result.page().nextAfter() == null
            ? null
            : links.page(Cursor.after(result.page().nextAfter()));
    String first = search.page().after() == null ? null : links.page(null);
    return new Views.Search(
        page,
        search.text() == null ? "" : search.text(),
        Cards.of(page.prefix(), result.page().repositories()),
        result.page().total(),
        List.copyOf(facets),
        result.facetsEstimated(),
        List.copyOf(filters),
        next,
        first);
  }

  private static Views.Facet facet(
      String parameter, String title, Map<String, Long> counts, SearchLinks links) {
    List<Views.FacetValue> values = new ArrayList<>();
    Map<String, Long> known = counts == null ? Map.of() : counts;
    known.forEach((value, count) -> values.add(value(parameter, value, count, links)));
    for (String selected : links.selected(parameter)) {
      if (!known.containsKey(selected)) {
        values.add(value(parameter, selected, 0, links));
      }
    }
    values.sort(
        Comparator.comparing(Views.FacetValue::selected)
            .reversed()
            .thenComparing(Comparator.comparingLong(Views.FacetValue::count).reversed())
            .thenComparing(Views.FacetValue::label));
    List<Views.FacetValue> shown = new ArrayList<>();
    for (Views.FacetValue value : values) {
      if (value.selected() || shown.size() < MAX_FACET_VALUES) {
        shown.add(value);
      }
    }
    return new Views.Facet(parameter, title, List.copyOf(shown));
  }

  private static Views.FacetValue value(
      String parameter, String value, long count, SearchLinks links) {
    return new Views.FacetValue(
        value,
        label(parameter, value),
        count,
        links.selected(parameter).contains(value),
        links.toggled(parameter, value));
  }

  private static String title(String parameter) {
    return switch (parameter) {
      case "kind" -> "Kind";
      case "architecture" -> "Architecture";
      case "os" -> "OS";
      case "namespace" -> "Namespace";
      case "mediaType" -> "Media type";
      default -> "Label";
    };
  }

  private static String label(String parameter, String value) {
    return parameter.equals("kind")
        ? ImageKind.byId(value).map(ImageKind::label).orElse(value)
        : value;
  }
}
