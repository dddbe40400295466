package org.flagstate.ops;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * The metrics of one Flagstate node in one Prometheus registry: Vert.x's own (HTTP server and
 * client, pools, event bus; HTTP labelled by route template, never by raw path, so anonymous
 * clients cannot grow the number of series), the JVM's, and Flagstate's {@code flagstate_*} meters,
 * which components register on {@link #registry()}. Each Vert.x instance gets its own registry, so
 * several nodes in one JVM (tests) do not share meters.
 */
public final class Observability {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  /** The registry Flagstate's own meters go in. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * A Vert.x builder that reports to this registry; add a cluster manager or other options on top.
   */
  public VertxBuilder vertxBuilder(VertxOptions options) {
    MicrometerMetricsOptions metrics =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            .setLabels(
                java.util.EnumSet.of(
                    Label.HTTP_METHOD,
                    Label.HTTP_CODE,
                    Label.HTTP_ROUTE,
                    Label.POOL_TYPE,
                    Label.POOL_NAME,
                    Label.EB_ADDRESS,
                    Label.EB_FAILURE,
                    Label.NAMESPACE));
    return Vertx.builder()
        .with(new VertxOptions(options).setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry));
  }

  /** {@code GET /metrics} in the Prometheus text format. */
  public Handler<RoutingContext> scrapeHandler() {
    return PrometheusScrapingHandler.create(registry);
  }
}
