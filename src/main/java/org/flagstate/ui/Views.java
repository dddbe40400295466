package org.flagstate.ui;

import java.util.List;

/**
 * What each page template is given: plain immutable values, worked out in Java, so templates only
 * lay them out (and escape every one). Untrusted text (labels, titles, descriptions) stays text
 * here.
 */
public final class Views {

  private Views() {}

  /** A shell command with a copy button; {@code label} says what it does. */
  public record Command(String label, String text) {}

  /**
   * A repository in a list. {@code iconUrl}, {@code title}, {@code description} and {@code
   * lastUpdated} may be null.
   */
  public record Card(
      String name,
      String href,
      String title,
      String description,
      String iconUrl,
      long tagCount,
      Timestamp lastUpdated) {

    /** The title, or the last path component of the name when there is none. */
    public String heading() {
      return title != null ? title : name.substring(name.lastIndexOf('/') + 1);
    }

    /** The first letter of the heading, shown where there is no icon. */
    public String initial() {
      return heading()
          .substring(0, heading().offsetByCodePoints(0, 1))
          .toUpperCase(java.util.Locale.ROOT);
    }
  }

  /** The first crawl's progress on the start page (from the crawler's status). */
  public record Progress(String state, int done, int total, Long etaSeconds, String lastError) {
    public int percent() {
      return total == 0 ? 0 : Math.min(100, 100 * done / total);
    }
  }

  public record Home(
      Page page,
      long repositories,
      long images,
      long flatpakApps,
      List<Card> recent,
      Progress progress) {

    public boolean empty() {
      return repositories == 0;
    }
  }

  /** One value of a facet: its count over the whole match set and the link that toggles it. */
  public record FacetValue(String value, String label, long count, boolean selected, String href) {}

  public record Facet(String parameter, String title, List<FacetValue> values) {}

  /** A filter in force, with the link that drops it. */
  public record Filter(String label, String removeHref) {}

  /**
   * @param facetsEstimated the facet counts were scaled from a sample of a large match set
   * @param nextHref null on the last page
   * @param firstHref null on the first page
   */
  public record Search(
      Page page,
      String text,
      List<Card> results,
      long total,
      List<Facet> facets,
      boolean facetsEstimated,
      List<Filter> filters,
      String nextHref,
      String firstHref) {}

  /**
   * One row of the tags table: a tagged image, a tagged list, or (with {@code member}) one platform
   * of the list above it. {@code created} may be null.
   */
  public record TagRow(
      String tag,
      boolean list,
      boolean member,
      String digest,
      String shortDigest,
      String platform,
      String size,
      String sizeTitle,
      Timestamp created,
      Timestamp updated,
      String pullCommand) {}

  /** A label or annotation of the shown image. */
  public record LabelRow(String key, String source, LabelValue value) {}

  public record Repository(
      Page page,
      String name,
      String title,
      String description,
      String iconUrl,
      List<String> kinds,
      int tagCount,
      List<TagRow> rows,
      String labelsCaption,
      List<LabelRow> labels,
      List<Command> commands) {

    public String heading() {
      return title != null ? title : name;
    }
  }

  /**
   * A Flatpak app of the gallery. Sizes are "–" when unknown; {@code iconUrl} and {@code runtime}
   * may be null.
   */
  public record App(
      String name,
      String summary,
      String appId,
      String iconUrl,
      String runtime,
      String downloadSize,
      String installedSize,
      List<String> architectures,
      String tag,
      String href,
      Command install) {}

  public record Apps(Page page, List<App> apps, Command remoteAdd) {}

  /**
   * @param moreHref the search that lists the plugins beyond this page, or null
   */
  public record Cockpit(Page page, List<Card> plugins, long total, String moreHref) {}

  /**
   * @param flatpakIndexHref the index fetched for Flatpak refs
   * @param fullIndexHref the index fetched for container images
   */
  public record Updates(Page page, String flatpakIndexHref, String fullIndexHref, String origin) {}

  public record Problem(Page page, int status, String heading, String message) {}
}
