package org.flagstate.ops;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import org.flagstate.bus.Addresses;
import org.flagstate.config.FlagstateConfig;
import org.flagstate.http.HttpServices;
import org.flagstate.http.RouteGroup;

/**
 * What operators and orchestrators ask a node, on the public listener: {@code /health} (the process
 * answers: restart it if not), {@code /ready} (send it traffic: the database answers and an index
 * is present; "degraded" with the reason while the registry is unreachable, since the stored index
 * is still served), and {@code /metrics} when {@code metrics.listener} is {@code public}.
 */
public final class OperationsRoutes implements RouteGroup {

  private static final long CHECK_TIMEOUT_MS = 2000;

  /**
   * The registry probe gives up before the check's own timeout: a hung registry (accepting
   * connections, never answering) must read "degraded", not make the check time out, which reports
   * the node DOWN (HTTP 500) although the stored index is served.
   */
  private static final long REGISTRY_PROBE_TIMEOUT_MS = 1500;

  private static final Duration REGISTRY_PROBE_TTL = Duration.ofSeconds(5);

  private final HttpServices services;
  private final Observability observability;
  private final WebClient registryClient;
  private long registryCheckedAt;
  private Future<Status> registryStatus;

  public OperationsRoutes(HttpServices services, Observability observability) {
    this.services = services;
    this.observability = observability;
    this.registryClient =
        WebClient.create(
            services.vertx(),
            new WebClientOptions()
                .setUserAgent("Flagstate-ready")
                .setConnectTimeout((int) REGISTRY_PROBE_TIMEOUT_MS));
  }

  @Override
  public void mount(Router router, String prefix) {
    HealthChecks liveness =
        HealthChecks.create(services.vertx())
            .register("event-loop", promise -> promise.complete(Status.OK()));
    HealthChecks readiness =
        HealthChecks.create(services.vertx())
            .register("database", CHECK_TIMEOUT_MS, this::database)
            .register("index", CHECK_TIMEOUT_MS, this::index)
            .register("registry", CHECK_TIMEOUT_MS, this::registry);
    router.get(prefix + "/health").handler(HealthCheckHandler.createWithHealthChecks(liveness));
    router.get(prefix + "/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness));
    if (services.config().metrics().listener() == FlagstateConfig.MetricsListener.PUBLIC) {
      router.get(prefix + "/metrics").handler(observability.scrapeHandler());
    }
  }

  private void database(Promise<Status> promise) {
    services
        .pool()
        .query("select 1")
        .execute()
        .map(rows -> Status.OK())
        .otherwise(
            failure ->
                Status.KO(
                    new JsonObject()
                        .put("reason", "the database does not answer: " + failure.getMessage())))
        .onSuccess(promise::tryComplete); // late, after the check timed out: dropped
  }

  /**
   * Present: the database holds repositories, or this node's crawler finished a sync (an empty
   * registry).
   */
  private void index(Promise<Status> promise) {
    Pool pool = services.pool();
    pool.query("select exists (select 1 from repository)")
        .execute()
        .compose(
            rows ->
                rows.iterator().next().getBoolean(0) ? Future.succeededFuture(true) : crawledHere())
        .map(
            present ->
                present
                    ? Status.OK()
                    : Status.KO(
                        new JsonObject()
                            .put(
                                "reason",
                                "no index yet: the first crawl has not stored anything (see /status for its progress)")))
        .otherwise(
            failure ->
                Status.KO(new JsonObject().put("reason", "cannot tell: " + failure.getMessage())))
        .onSuccess(promise::tryComplete); // late, after the check timed out: dropped
  }

  private Future<Boolean> crawledHere() {
    return services
        .vertx()
        .eventBus()
        .<JsonObject>request(
            Addresses.CRAWLER_STATUS, null, new DeliveryOptions().setSendTimeout(CHECK_TIMEOUT_MS))
        .map(reply -> reply.body().getInteger("syncsCompleted", 0) > 0)
        .otherwise(false);
  }

  /**
   * Reachable when {@code GET /v2/} gets any HTTP answer (401 included). An unreachable registry
   * leaves the node ready, serving the stored index, and says so. Probed at most every few seconds.
   */
  private void registry(Promise<Status> promise) {
    long now = System.nanoTime();
    if (registryStatus == null || now - registryCheckedAt > REGISTRY_PROBE_TTL.toNanos()) {
      registryCheckedAt = now;
      String url = services.config().registry().url().resolve("/v2/").toString();
      registryStatus =
          registryClient
              .getAbs(url)
              .idleTimeout(REGISTRY_PROBE_TIMEOUT_MS)
              .send()
              .map(response -> Status.OK(new JsonObject().put("state", "reachable")))
              .otherwise(
                  failure ->
                      Status.OK(
                          new JsonObject()
                              .put("state", "degraded")
                              .put(
                                  "reason",
                                  "the registry at "
                                      + url
                                      + " is unreachable ("
                                      + failure.getMessage()
                                      + "); the stored index is served and the crawler retries")));
    }
    registryStatus.onSuccess(promise::tryComplete);
  }
}
