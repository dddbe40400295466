package org.flagstate.bus;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@link IndexChanged} reaches every node's cache, this one included: the crawler sends it with
 * PostgreSQL NOTIFY inside the transaction that made the change (delivered on commit, never for a
 * rolled-back write), and every node's cache invalidator LISTENs. It is the one path a change
 * takes, so each node hears each change once.
 */
public final class ChangeNotifications {

  public static final String CHANNEL = "flagstate_index_changed";

  /** Repositories per payload at most, so that a payload stays small for the listeners. */
  private static final int REPOSITORIES_PER_PAYLOAD = 50;

  /**
   * PostgreSQL refuses NOTIFY payloads of 8000 bytes or more (and the transaction with them); a
   * payload is cut before its encoded size would pass this, the envelope included.
   */
  private static final int MAX_PAYLOAD_BYTES = 7900;

  /**
   * The JSON around the names, with the longest counts: {@code
   * {"repositories":[],"eventsApplied":…}}.
   */
  private static final int ENVELOPE_BYTES = 80;

  private ChangeNotifications() {}

  /** The payloads that together carry {@code change}, each under PostgreSQL's NOTIFY limit. */
  public static List<String> payloads(IndexChanged change) {
    List<String> payloads = new ArrayList<>();
    List<String> chunk = new ArrayList<>();
    int bytes = ENVELOPE_BYTES;
    for (String repository : change.repositories()) {
      int size = repository.getBytes(StandardCharsets.UTF_8).length + 3;
      if (!chunk.isEmpty()
          && (chunk.size() == REPOSITORIES_PER_PAYLOAD || bytes + size > MAX_PAYLOAD_BYTES)) {
        payloads.add(encode(chunk, payloads.isEmpty() ? change.eventsApplied() : 0, change));
        chunk = new ArrayList<>();
        bytes = ENVELOPE_BYTES;
      }
      chunk.add(repository);
      bytes += size;
    }
    payloads.add(encode(chunk, payloads.isEmpty() ? change.eventsApplied() : 0, change));
    return payloads;
  }

  private static String encode(List<String> repositories, int events, IndexChanged change) {
    return new IndexChanged(repositories, events, change.committedAtMillis()).toJson().encode();
  }

  /** The change a payload carries. */
  public static IndexChanged parse(String payload) {
    return IndexChanged.fromJson(new JsonObject(payload));
  }
}
