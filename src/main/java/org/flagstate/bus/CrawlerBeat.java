package org.flagstate.bus;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Optional;

/**
 * The crawling node's heartbeat to clustered nodes: its node id, its term and the number of the
 * last {@link SequencedChange} it published. A node that hears it knows whether it missed a change;
 * a node that stops hearing it knows it may be cut off from the crawler.
 */
public record CrawlerBeat(String term, String node, long seq) {

  public CrawlerBeat {
    Objects.requireNonNull(term, "term");
    Objects.requireNonNull(node, "node");
  }

  public JsonObject toJson() {
    return BusMessages.versioned().put("term", term).put("node", node).put("seq", seq);
  }

  /** The beat in {@code body}, or empty when it is of another version or malformed. */
  public static Optional<CrawlerBeat> read(Object body) {
    if (!BusMessages.readable(body)) {
      return Optional.empty();
    }
    try {
      JsonObject json = (JsonObject) body;
      return Optional.of(
          new CrawlerBeat(json.getString("term"), json.getString("node"), json.getLong("seq")));
    } catch (RuntimeException malformed) {
      return Optional.empty();
    }
  }
}
