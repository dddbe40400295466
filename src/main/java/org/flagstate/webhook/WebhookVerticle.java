package org.flagstate.webhook;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import org.flagstate.config.FlagstateConfig;
import org.flagstate.db.SharedPool;
import org.flagstate.http.ErrorResponses;
import org.flagstate.http.HttpVersionGuard;
import org.flagstate.http.InvalidRequests;
import org.flagstate.http.MalformedPathGuard;
import org.flagstate.inbox.InboxStore;
import org.flagstate.inbox.RegistryEvent;
import org.flagstate.registry.Digests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the registry's notifications on its own listener: checks the Bearer token in constant
 * time, validates the envelope, stores the relevant events in the inbox and only then answers 200
 * (the inbox's commit wakes the crawler on whichever node crawls). It does nothing else, so the
 * registry's queue (which stalls until a 2xx) moves fast.
 */
public final class WebhookVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookVerticle.class);

  private final FlagstateConfig config;
  private final PgConnectOptions database;
  private Pool pool;
  private InboxStore inbox;
  private byte[] expectedToken;

  private final Handler<RoutingContext> metrics;

  /**
   * @param metrics serves {@code GET /metrics} on this listener, or null for none
   */
  public WebhookVerticle(
      FlagstateConfig config, PgConnectOptions database, Handler<RoutingContext> metrics) {
    this.config = config;
    this.database = database;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    pool = SharedPool.create(vertx, database, config.database().poolSize());
    inbox = new InboxStore(pool);
    if (config.webhook().requiresToken()) {
      expectedToken = Digests.sha256Bytes(config.webhook().token());
    }
    Router router = Router.router(vertx);
    // two routes, so the caller is checked before its body is read
    if (metrics != null) {
      router.get("/metrics").handler(metrics);
    }
    router.post("/events").handler(this::authorize);
    router
        .post("/events")
        .handler(BodyHandler.create(false).setBodyLimit(config.webhook().maxBodyBytes()))
        .handler(this::receive);
    router.errorHandler(
        400,
        ctx ->
            ErrorResponses.send(
                ctx.response(), 400, "BAD_REQUEST", "the request could not be read", null));
    router.errorHandler(
        404,
        ctx ->
            ErrorResponses.send(
                ctx.response(), 404, "NOT_FOUND", "this listener only takes POST /events", null));
    router.errorHandler(
        405,
        ctx ->
            ErrorResponses.send(
                ctx.response(), 405, "METHOD_NOT_ALLOWED", "use POST /events", null));
    router.errorHandler(
        413,
        ctx ->
            ErrorResponses.send(
                ctx.response(),
                413,
                "BODY_TOO_LARGE",
                "notification bodies may be at most "
                    + config.webhook().maxBodyBytes()
                    + " bytes (webhook.max_body_bytes)",
                null));
    router.errorHandler(
        500,
        ctx -> {
          LOG.error(
              "Unexpected error answering {} {}",
              ctx.request().method(),
              ctx.request().path(),
              ctx.failure());
          ErrorResponses.send(
              ctx.response(), 500, "INTERNAL", "unexpected error; see the server log", null);
        });
    return vertx
        .createHttpServer(
            new HttpServerOptions()
                .setHost(config.webhook().host())
                .setPort(config.webhook().port())
                // registries and scrapers speak HTTP/1.1; no h2c upgrade path to reason about
                .setHttp2ClearTextEnabled(false))
        .connectionHandler(HttpVersionGuard::install)
        .requestHandler(new MalformedPathGuard(router))
        .invalidRequestHandler(InvalidRequests.HANDLER)
        .listen();
  }

  private void authorize(RoutingContext ctx) {
    if (expectedToken != null) {
      List<String> given = ctx.request().headers().getAll("Authorization");
      if (given.size() != 1 || !bearerTokenMatches(given.get(0))) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"flagstate-events\"");
        ErrorResponses.send(
            ctx.response(),
            401,
            "UNAUTHORIZED",
            "send Authorization: Bearer <webhook.token> (the registry endpoint's headers setting)",
            null);
        return;
      }
    }
    String contentType = ctx.request().getHeader("Content-Type");
    if (contentType != null && !isJson(contentType)) {
      ErrorResponses.send(
          ctx.response(),
          415,
          "UNSUPPORTED_MEDIA_TYPE",
          "notifications are JSON (application/vnd.docker.distribution.events.v1+json), not "
              + contentType,
          null);
      return;
    }
    ctx.next();
  }

  private void receive(RoutingContext ctx) {
    List<RegistryEvent> events;
    try {
      events =
          NotificationParser.parse(
              ctx.body().buffer() == null
                  ? io.vertx.core.buffer.Buffer.buffer()
                  : ctx.body().buffer());
    } catch (InvalidNotificationException e) {
      ErrorResponses.send(ctx.response(), 400, "INVALID_NOTIFICATION", e.getMessage(), null);
      return;
    }
    inbox
        .store(events)
        .onComplete(
            stored -> {
              if (stored.failed()) {
                LOG.error(
                    "Could not store {} registry events; answering 503 so the registry re-sends them: {}",
                    events.size(),
                    stored.cause().getMessage());
                ErrorResponses.send(
                    ctx.response(),
                    503,
                    "UNAVAILABLE",
                    "events could not be stored; send them again",
                    null);
                return;
              }
              ctx.response()
                  .putHeader("Content-Type", "application/json")
                  .end(
                      new JsonObject()
                          .put("stored", stored.result())
                          .put("relevant", events.size())
                          .encode());
            });
  }

  /** The scheme is case-insensitive (RFC 9110); the token is compared in constant time. */
  private boolean bearerTokenMatches(String authorization) {
    int space = authorization.indexOf(' ');
    if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("Bearer")) {
      return false;
    }
    return MessageDigest.isEqual(
        expectedToken, Digests.sha256Bytes(authorization.substring(space + 1).trim()));
  }

  private static boolean isJson(String contentType) {
    int parameters = contentType.indexOf(';');
    String type =
        (parameters < 0 ? contentType : contentType.substring(0, parameters))
            .toLowerCase(Locale.ROOT)
            .trim();
    return type.equals("application/json") || type.endsWith("+json");
  }

  @Override
  public Future<?> stop() {
    return pool.close();
  }
}
