package org.flagstate.registry;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flagstate.config.FlagstateConfig;

/**
 * Answers a registry's 401 challenges: Basic (send the configured credentials) and the Bearer token
 * flow of the distribution spec (fetch a token for the challenged scope from the realm, cache it
 * until it expires, at most 1024 scopes). Holds no secrets beyond the configured ones. One instance
 * per event loop: it is not thread-safe (the crawler has one, each query verticle's registry front
 * has its own).
 */
public final class RegistryAuth {

  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  /** Tokens kept at most; the registry front asks for a scope per repository any client names. */
  private static final int MAX_TOKENS = 1024;

  private final WebClient web;
  private final FlagstateConfig.Registry registry;
  private final Duration timeout;
  private final Map<String, Token> tokens = new HashMap<>();
  private boolean basic;

  private record Token(String value, long expiresAtMillis) {}

  public RegistryAuth(WebClient web, FlagstateConfig.Registry registry, Duration timeout) {
    this.web = web;
    this.registry = registry;
    this.timeout = timeout;
  }

  /**
   * The Authorization header for a request in this scope, or null when none is known to be needed.
   */
  public String header(String scope) {
    Token token = tokens.get(scope);
    if (token != null && token.expiresAtMillis > System.currentTimeMillis()) {
      return "Bearer " + token.value;
    }
    return basic ? basicHeader() : null;
  }

  /** Handles a 401; succeeds when a retry may now be authorized. */
  public Future<Void> answer(String challenge, String scope) {
    if (challenge == null) {
      return Future.failedFuture(
          new RegistryException(
              "the registry answered 401 without a WWW-Authenticate challenge", 401));
    }
    String lower = challenge.trim().toLowerCase(Locale.ROOT);
    if (lower.startsWith("basic")) {
      if (!registry.hasCredentials()) {
        return Future.failedFuture(
            new RegistryException(
                "the registry wants Basic credentials: set registry.username and registry.password",
                401));
      }
      basic = true;
      return Future.succeededFuture();
    }
    if (lower.startsWith("bearer")) {
      return fetchToken(parameters(challenge.trim().substring("bearer".length())), scope);
    }
    return Future.failedFuture(
        new RegistryException("unsupported registry auth challenge: " + challenge, 401));
  }

  private Future<Void> fetchToken(Map<String, String> params, String scope) {
    String realm = params.get("realm");
    if (realm == null) {
      return Future.failedFuture(new RegistryException("Bearer challenge without realm", 401));
    }
    String effectiveScope = params.getOrDefault("scope", scope);
    var request = web.getAbs(realm).idleTimeout(timeout.toMillis());
    if (params.containsKey("service")) {
      request.addQueryParam("service", params.get("service"));
    }
    if (effectiveScope != null) {
      request.addQueryParam("scope", effectiveScope);
    }
    if (registry.hasCredentials()) {
      request.putHeader("Authorization", basicHeader());
    }
    return request.send().compose(response -> storeToken(response, scope));
  }

  private Future<Void> storeToken(HttpResponse<Buffer> response, String scope) {
    if (response.statusCode() != 200) {
      return Future.failedFuture(
          new RegistryException(
              "the token service answered "
                  + response.statusCode()
                  + " (check registry.username and registry.password)",
              401));
    }
    JsonObject body;
    try {
      body = response.bodyAsJsonObject();
    } catch (RuntimeException e) {
      return Future.failedFuture(
          new RegistryException("the token service answered with invalid JSON", 401));
    }
    String value = body.getString("token", body.getString("access_token"));
    if (value == null) {
      return Future.failedFuture(
          new RegistryException("the token service answered without a token", 401));
    }
    long lifetimeSeconds = Math.max(10, body.getLong("expires_in", 60L) - 5);
    makeRoomForOneToken();
    tokens.put(scope, new Token(value, System.currentTimeMillis() + lifetimeSeconds * 1000));
    return Future.succeededFuture();
  }

  private void makeRoomForOneToken() {
    if (tokens.size() < MAX_TOKENS) {
      return;
    }
    long now = System.currentTimeMillis();
    tokens.values().removeIf(token -> token.expiresAtMillis <= now);
    if (tokens.size() >= MAX_TOKENS) {
      tokens.clear();
    }
  }

  private String basicHeader() {
    String pair = registry.username() + ":" + registry.password();
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  static Map<String, String> parameters(String text) {
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(text);
    while (m.find()) {
      params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
    }
    return params;
  }
}
