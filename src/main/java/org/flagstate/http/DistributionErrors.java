package org.flagstate.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Errors in docker/distribution's shape ({@code {"errors": [{"code", "message", "detail"}]}}),
 * which registry clients such as podman parse and show, for the endpoints that imitate the registry
 * API.
 */
public final class DistributionErrors {

  private DistributionErrors() {}

  public static void send(
      HttpServerResponse response, int status, String code, String message, JsonObject detail) {
    JsonObject error =
        new JsonObject().put("code", code).put("message", message).put("detail", detail);
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Docker-Distribution-Api-Version", "registry/2.0")
        .end(new JsonObject().put("errors", new JsonArray().add(error)).toBuffer());
  }
}
