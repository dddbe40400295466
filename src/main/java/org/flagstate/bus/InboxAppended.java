package org.flagstate.bus;

import io.vertx.core.json.JsonObject;

/**
 * New registry events were committed to the inbox (by any node's webhook): the crawler should apply
 * them now.
 */
public record InboxAppended(int events) {

  public JsonObject toJson() {
    return BusMessages.versioned().put("events", events);
  }
}
