package org.flagstate.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Tells the crawler that webhook events for these repositories are waiting in the inbox table. The
 * inbox row is the durable record; this message only wakes the crawler, so losing it loses nothing.
 */
public record InboxAppended(List<String> repositories) {

  public InboxAppended {
    repositories = List.copyOf(repositories);
  }

  public JsonObject toJson() {
    return new JsonObject().put("repositories", new JsonArray(repositories));
  }

  public static InboxAppended fromJson(JsonObject json) {
    return new InboxAppended(json.getJsonArray("repositories").stream().map(String.class::cast).toList());
  }
}
