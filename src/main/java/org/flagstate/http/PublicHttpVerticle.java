package org.flagstate.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.LoggerFormat;
import io.vertx.ext.web.handler.LoggerHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.function.Function;
import org.flagstate.bus.Addresses;
import org.flagstate.config.FlagstateConfig;
import org.flagstate.db.SharedPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the public HTTP listener (one instance per core, sharing the port) and everything served on
 * it: the feature route groups it is given (Flatpak index, search, JSON API, registry front,
 * operations) and status. It only reads; answers come from the shared response cache or the
 * database. Features are handed in as factories so that this package depends on none of them.
 */
public final class PublicHttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PublicHttpVerticle.class);

  private final FlagstateConfig config;
  private final PgConnectOptions database;
  private final NodeResources node;
  private final List<Function<HttpServices, RouteGroup>> features;
  private Pool pool;

  /**
   * @param node what all instances on this node share
   * @param features the route groups to mount, in order, each made once per instance from its
   *     services
   */
  public PublicHttpVerticle(
      FlagstateConfig config,
      PgConnectOptions database,
      NodeResources node,
      List<Function<HttpServices, RouteGroup>> features) {
    this.config = config;
    this.database = database;
    this.node = node;
    this.features = List.copyOf(features);
  }

  @Override
  public Future<?> start() {
    pool = SharedPool.create(vertx, database, config.database().poolSize());
    HttpServices services =
        new HttpServices(
            vertx,
            config,
            pool,
            new CachedJsonResponder(
                node.cache(), node.freshness(), node.admission(), node.wholeIndexRenders()),
            node.admission(),
            node.searchMemo());
    String prefix = config.http().pathPrefix();
    Router router = Router.router(vertx);
    ConnectionGuard guard =
        new ConnectionGuard(
            vertx,
            config.http().headerTimeout(),
            config.http().keepAliveTimeout(),
            config.http().maxConnections(),
            node.openConnections());
    router.route().handler(guard.trackResponses());
    if (config.http().accessLog()) {
      router.route().handler(LoggerHandler.create(LoggerFormat.COMBINED));
    }
    PublicAuth auth = PublicAuth.of(vertx, config.http());
    if (auth != null) {
      router.route().handler(auth);
    }
    ClientRateLimit limit = node.clientRateLimit();
    if (limit != null) {
      for (String limited : List.of("/index/dynamic", "/v1/search", "/api/v1/*", "/search")) {
        router.route(prefix + limited).handler(limit);
      }
    }
    Handler<RoutingContext> requestTimeout =
        TimeoutHandler.create(config.http().requestTimeout().toMillis(), 503);
    router
        .route()
        .handler(
            ctx -> {
              if (isTransfer(ctx.request().path())) {
                ctx.next();
              } else {
                requestTimeout.handle(ctx);
              }
            });
    for (Function<HttpServices, RouteGroup> feature : features) {
      feature.apply(services).mount(router, prefix);
    }
    router.get(prefix + "/status").handler(this::status);
    router.errorHandler(
        400,
        ctx ->
            ErrorResponses.send(
                ctx.response(), 400, "BAD_REQUEST", "the request could not be read", null));
    router.errorHandler(
        404,
        ctx ->
            ErrorResponses.send(
                ctx.response(), 404, "NOT_FOUND", "no such path: " + ctx.request().path(), null));
    router.errorHandler(
        405,
        ctx ->
            ErrorResponses.send(
                ctx.response(),
                405,
                "METHOD_NOT_ALLOWED",
                ctx.request().method() + " is not allowed on " + ctx.request().path(),
                null));
    router.errorHandler(
        503,
        ctx -> {
          ctx.response().putHeader("Retry-After", "5");
          ErrorResponses.send(
              ctx.response(),
              503,
              "UNAVAILABLE",
              "the request took longer than http.request_timeout; try again shortly",
              null);
        });
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
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.http().host())
            .setPort(config.http().port())
            .setMaxInitialLineLength(Math.max(8192, config.query().maxQueryBytes() + 1024))
            .setSendBufferSize(4 << 20)
            // HTTP/1.1 only: with h2c detection on, Vert.x reports a connection only once its first
            // bytes
            // arrive, and a client trickling them would escape the header timeout
            .setHttp2ClearTextEnabled(false);
    return vertx
        .createHttpServer(options)
        .connectionHandler(
            connection -> {
              HttpVersionGuard.install(connection);
              guard.connected(connection);
            })
        .requestHandler(guard.guarding(new MalformedPathGuard(router)))
        .invalidRequestHandler(InvalidRequests.HANDLER)
        .listen();
  }

  /**
   * Registry-front transfers stream as long as the client reads; they are bounded by idle time
   * instead.
   */
  private static boolean isTransfer(String path) {
    return path.contains("/blobs/") || path.contains("/manifests/");
  }

  private void status(RoutingContext ctx) {
    vertx
        .eventBus()
        .<JsonObject>request(
            Addresses.CRAWLER_STATUS, null, new DeliveryOptions().setSendTimeout(2000))
        .onComplete(
            reply -> {
              JsonObject status =
                  new JsonObject()
                      .put("registry", config.registry().url().toString())
                      .put("cachedResponses", node.cache().size())
                      .put("cachedBytes", node.cache().weightedBytes())
                      .put("uncachedWorkRunning", node.admission().running());
              if (reply.succeeded()) {
                status.put("crawler", reply.result().body());
              } else {
                status.put(
                    "crawler",
                    new JsonObject()
                        .put("state", "unknown")
                        .put("error", reply.cause().getMessage()));
              }
              ctx.response()
                  .putHeader("Content-Type", "application/json")
                  .putHeader("Cache-Control", "no-store")
                  .end(status.encodePrettily());
            });
  }

  @Override
  public Future<?> stop() {
    return pool.close();
  }
}
