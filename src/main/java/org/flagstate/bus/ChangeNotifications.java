package org.flagstate.bus;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@link IndexChanged} reaches every node's cache, this one included: the crawler sends it
 * with PostgreSQL NOTIFY inside the transaction that made the change (delivered on commit, never for a
 * rolled-back write), and every node's cache invalidator LISTENs. It is the one path a change takes,
 * so each node hears each change once.
 */
public final class ChangeNotifications {

  public static final String CHANNEL = "flagstate_index_changed";

  /** NOTIFY payloads must stay under 8000 bytes; repository lists are cut into chunks of this size. */
  private static final int REPOSITORIES_PER_PAYLOAD = 50;

  private ChangeNotifications() {}

  /** The payloads that together carry {@code change}. */
  public static List<String> payloads(IndexChanged change) {
    List<String> payloads = new ArrayList<>();
    List<String> repositories = change.repositories();
    int from = 0;
    do {
      List<String> chunk = repositories.subList(from, Math.min(repositories.size(), from + REPOSITORIES_PER_PAYLOAD));
      int events = from == 0 ? change.eventsApplied() : 0;
      payloads.add(new IndexChanged(chunk, events, change.committedAtMillis()).toJson().encode());
      from += REPOSITORIES_PER_PAYLOAD;
    } while (from < repositories.size());
    return payloads;
  }

  /** The change a payload carries. */
  public static IndexChanged parse(String payload) {
    return IndexChanged.fromJson(new JsonObject(payload));
  }
}
