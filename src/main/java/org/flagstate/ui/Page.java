package org.flagstate.ui;

/**
 * What the layout around every page needs: where the UI lives ({@code http.path_prefix}), its
 * assets, the page's title and section (for the navigation), the JSON this page is rendered from,
 * and the search text to keep in the header's search box.
 *
 * @param jsonHref the path of the JSON equivalent in {@code /api/v1} or {@code /index}
 * @param query the search text shown in the header's box ("" for none)
 */
public record Page(
    String prefix, UiAssets assets, String title, Section section, String jsonHref, String query) {

  /** The navigation entry a page belongs to. */
  public enum Section {
    HOME,
    SEARCH,
    APPS,
    COCKPIT,
    UPDATES,
    REPOSITORY,
    ERROR
  }

  /** A path of this Flagstate, under the prefix. */
  public String href(String path) {
    return prefix + path;
  }

  /**
   * {@code aria-current} for the navigation link of {@code section}, else null (attribute left
   * out).
   */
  public String current(Section other) {
    return section == other ? "page" : null;
  }
}
