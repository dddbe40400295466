package org.flagstate.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * What one committed write changed: the repositories whose tags, manifests or existence changed, and
 * when. Cached responses that could include any of them are stale.
 */
public record IndexChanged(List<String> repositories, long committedAtMillis) {

  public IndexChanged {
    repositories = List.copyOf(Objects.requireNonNull(repositories, "repositories"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("repositories", new JsonArray(repositories)).put("committedAt", committedAtMillis);
  }

  public static IndexChanged fromJson(JsonObject json) {
    return new IndexChanged(json.getJsonArray("repositories").stream().map(String.class::cast).toList(),
        json.getLong("committedAt"));
  }
}
