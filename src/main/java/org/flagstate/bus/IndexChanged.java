package org.flagstate.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * What one committed write did: the repositories whose tags, manifests or existence changed (cached
 * responses that could include any of them are stale), and how many registry events it applied
 * (zero for a reconciliation), so every node knows how fresh the index is.
 */
public record IndexChanged(List<String> repositories, int eventsApplied, long committedAtMillis) {

  public IndexChanged {
    repositories = List.copyOf(Objects.requireNonNull(repositories, "repositories"));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("repositories", new JsonArray(repositories))
        .put("eventsApplied", eventsApplied)
        .put("committedAt", committedAtMillis);
  }

  public static IndexChanged fromJson(JsonObject json) {
    return new IndexChanged(
        json.getJsonArray("repositories").stream().map(String.class::cast).toList(),
        json.getInteger("eventsApplied", 0),
        json.getLong("committedAt"));
  }
}
