package org.flagstate.ui;

import java.util.List;
import org.flagstate.api.ApiReader;

/** Repository summaries of the JSON API as the cards of a page. */
final class Cards {

  private Cards() {}

  static List<Views.Card> of(String prefix, List<ApiReader.RepositorySummary> repositories) {
    return repositories.stream()
        .map(
            r ->
                card(
                    prefix,
                    r.name(),
                    r.title(),
                    r.description(),
                    r.icon(),
                    r.tagCount(),
                    r.lastUpdated()))
        .toList();
  }

  static Views.Card card(
      String prefix,
      String name,
      String title,
      String description,
      String icon,
      long tagCount,
      java.time.OffsetDateTime lastUpdated) {
    return new Views.Card(
        name,
        prefix + "/repositories/" + name,
        title,
        description,
        Icons.url(prefix, name, icon),
        tagCount,
        Timestamp.of(lastUpdated));
  }
}
