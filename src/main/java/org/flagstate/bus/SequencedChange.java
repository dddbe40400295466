package org.flagstate.bus;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link IndexChanged} as the crawling node publishes it to clustered nodes: numbered within the
 * crawler's term (one term per holding of the crawler lock), so a node can tell that it missed one.
 */
public record SequencedChange(String term, long seq, IndexChanged change) {

  public SequencedChange {
    Objects.requireNonNull(term, "term");
    Objects.requireNonNull(change, "change");
  }

  public JsonObject toJson() {
    return BusMessages.versioned().put("term", term).put("seq", seq).put("change", change.toJson());
  }

  /** The message in {@code body}, or empty when it is of another version or malformed. */
  public static Optional<SequencedChange> read(Object body) {
    if (!BusMessages.readable(body)) {
      return Optional.empty();
    }
    try {
      JsonObject json = (JsonObject) body;
      return Optional.of(
          new SequencedChange(
              json.getString("term"),
              json.getLong("seq"),
              IndexChanged.fromJson(json.getJsonObject("change"))));
    } catch (RuntimeException malformed) {
      return Optional.empty();
    }
  }
}
