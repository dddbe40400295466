package org.flagstate.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicInteger;
import org.flagstate.cache.IndexFreshness;
import org.flagstate.cache.ResponseCache;
import org.flagstate.cache.SearchMemo;
import org.flagstate.config.FlagstateConfig;

/**
 * What every instance of the public listener on one node shares, so that its bounds hold per node
 * and not per event loop: the rendered responses, how fresh the index is, the admission of uncached
 * work and, within it, of renders of the whole index, the count of open connections, the per-client
 * rate limit (null when {@code http.client_rate} is 0), and what searches remember.
 */
public record NodeResources(
    ResponseCache cache,
    IndexFreshness freshness,
    AdmissionControl admission,
    AdmissionControl wholeIndexRenders,
    AtomicInteger openConnections,
    ClientRateLimit clientRateLimit,
    SearchMemo searchMemo) {

  /** The node's resources as configured, their meters registered on {@code meters}. */
  public static NodeResources create(Vertx vertx, FlagstateConfig config, MeterRegistry meters) {
    // half the cores (at least one) render uncached answers; the rest stay with the event loops
    int renderThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    ResponseCache cache =
        new ResponseCache(
            config.cache().maxBytes(),
            config.cache().maxBodyBytes(),
            vertx.createSharedWorkerExecutor("flagstate-render", renderThreads));
    cache.registerMetrics(meters);
    IndexFreshness freshness = new IndexFreshness();
    Gauge.builder("flagstate.freshness.lag", freshness, IndexFreshness::lagSeconds)
        .baseUnit("seconds")
        .description(
            "Seconds since the newest registry event this node knows was applied (NaN before any)")
        .register(meters);
    AdmissionControl admission =
        new AdmissionControl(
            vertx,
            config.query().maxConcurrent(),
            config.query().maxQueued(),
            config.query().queueTimeout(),
            meters);
    AdmissionControl wholeIndexRenders =
        new AdmissionControl(
            vertx,
            "flagstate.admission.whole_index",
            "render threads (half the cores)",
            Math.min(config.query().maxConcurrent(), renderThreads),
            config.query().maxQueued(),
            config.query().queueTimeout(),
            meters);
    AtomicInteger openConnections = new AtomicInteger();
    Gauge.builder("flagstate.http.connections", openConnections, AtomicInteger::get)
        .description("Open connections to the public listener")
        .register(meters);
    ClientRateLimit clientRateLimit =
        config.http().clientRate() == 0
            ? null
            : new ClientRateLimit(
                config.http().clientRate(),
                config.http().clientBurst(),
                config.http().clientAddressHeader(),
                config.http().trustedProxies());
    return new NodeResources(
        cache,
        freshness,
        admission,
        wholeIndexRenders,
        openConnections,
        clientRateLimit,
        new SearchMemo(config.cache().searchBytes(), cache::generation));
  }
}
