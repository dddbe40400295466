package org.flagstate.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** The JSON error bodies every Flagstate endpoint answers with, so clients parse one shape. */
public final class ErrorResponses {

  private ErrorResponses() {}

  /**
   * Sends {@code {"error": {"code": …, "message": …, "parameter": …}}}; {@code parameter} is left
   * out when null.
   */
  public static void send(
      HttpServerResponse response, int status, String code, String message, String parameter) {
    JsonObject error = new JsonObject().put("code", code).put("message", message);
    if (parameter != null) {
      error.put("parameter", parameter);
    }
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("error", error).toBuffer());
  }
}
