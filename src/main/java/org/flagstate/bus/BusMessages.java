package org.flagstate.bus;

import io.vertx.core.json.JsonObject;

/**
 * The version every message between nodes carries. Nodes of two Flagstate releases share a cluster
 * during a rolling upgrade; a release that changes a message's meaning raises the version, and a
 * node that reads another version acts as if it had missed that message (its cache is dropped, the
 * crawler is woken), which is always safe.
 */
public final class BusMessages {

  public static final int VERSION = 1;

  private BusMessages() {}

  static JsonObject versioned() {
    return new JsonObject().put("version", VERSION);
  }

  /** Whether {@code body} is a message of this release's version. */
  public static boolean readable(Object body) {
    return body instanceof JsonObject json
        && json.getValue("version") instanceof Number version
        && version.intValue() == VERSION;
  }
}
