package org.flagstate;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.List;
import java.util.function.Function;
import org.flagstate.api.ApiRoutes;
import org.flagstate.api.SearchWarmupVerticle;
import org.flagstate.cache.CacheInvalidationVerticle;
import org.flagstate.cluster.ClusterNode;
import org.flagstate.config.FlagstateConfig;
import org.flagstate.crawl.CrawlerVerticle;
import org.flagstate.db.DatabaseServer;
import org.flagstate.db.Migrations;
import org.flagstate.front.RegistryFrontRoutes;
import org.flagstate.http.HttpServices;
import org.flagstate.http.NodeResources;
import org.flagstate.http.PublicHttpVerticle;
import org.flagstate.http.RouteGroup;
import org.flagstate.index.IndexRoutes;
import org.flagstate.ops.Observability;
import org.flagstate.ops.OperationsRoutes;
import org.flagstate.search.SearchRoutes;
import org.flagstate.ui.UiRoutes;
import org.flagstate.webhook.WebhookVerticle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires Flagstate: brings up the database (embedded or by URL) and its schema, then deploys the
 * crawler, the cache invalidator, the webhook receiver and one query verticle per core. Undeploying
 * it stops them all and, last, the embedded database.
 */
public final class MainVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MainVerticle.class);

  private final FlagstateConfig config;
  private final Observability observability;
  private final ClusterNode node;
  private DatabaseServer database;

  /** A node on its own: changes reach the cache by NOTIFY. */
  public MainVerticle(FlagstateConfig config, Observability observability) {
    this(config, observability, ClusterNode.standalone());
  }

  /**
   * @param observability the metrics registry the Vert.x instance this is deployed on reports to
   * @param node this node: clustered when that Vert.x joined a cluster
   */
  public MainVerticle(FlagstateConfig config, Observability observability, ClusterNode node) {
    this.config = config;
    this.observability = observability;
    this.node = node;
  }

  /** What the public listener serves, in mounting order. */
  public static List<Function<HttpServices, RouteGroup>> publicFeatures(
      Observability observability) {
    return List.of(
        IndexRoutes::new,
        SearchRoutes::new,
        RegistryFrontRoutes::new,
        ApiRoutes::new,
        services -> new OperationsRoutes(services, observability),
        UiRoutes::new);
  }

  @Override
  public Future<?> start() {
    NodeResources resources = NodeResources.create(vertx, config, observability.registry());
    int queryInstances = Runtime.getRuntime().availableProcessors();
    return vertx
        .executeBlocking(
            () -> {
              DatabaseServer server = DatabaseServer.start(config.database());
              try {
                Migrations.apply(server, config.ui().cockpitLabel());
              } catch (RuntimeException e) {
                server.close();
                throw e;
              }
              return server;
            })
        .compose(
            server -> {
              database = server;
              return vertx.deployVerticle(
                  () ->
                      new CacheInvalidationVerticle(
                          resources.cache(),
                          resources.freshness(),
                          database.connectOptions(),
                          config.database().poolSize()),
                  new DeploymentOptions());
            })
        .compose(
            id ->
                vertx.deployVerticle(
                    () ->
                        new CrawlerVerticle(
                            config, node, database.connectOptions(), observability.registry()),
                    new DeploymentOptions()))
        .compose(
            id ->
                vertx.deployVerticle(
                    () ->
                        new WebhookVerticle(
                            config,
                            database.connectOptions(),
                            config.metrics().listener() == FlagstateConfig.MetricsListener.WEBHOOK
                                ? observability.scrapeHandler()
                                : null),
                    new DeploymentOptions().setInstances(queryInstances)))
        .compose(
            id ->
                vertx.deployVerticle(
                    new SearchWarmupVerticle(
                        resources.searchMemo(),
                        resources.cache()::generation,
                        database.connectOptions(),
                        config.database().poolSize())))
        .compose(
            id ->
                vertx.deployVerticle(
                    () ->
                        new PublicHttpVerticle(
                            config,
                            database.connectOptions(),
                            resources,
                            publicFeatures(observability)),
                    new DeploymentOptions().setInstances(queryInstances)))
        .onSuccess(
            id -> {
              LOG.info(
                  "Flagstate is serving on http://{}:{}{}/index/static (indexing {})",
                  config.http().host(),
                  config.http().port(),
                  config.http().pathPrefix(),
                  config.registry().url());
              LOG.info(
                  config.http().auth().equalsIgnoreCase("none")
                      ? "The public listener is open to anyone (http.auth: none): the index, search and API are public"
                      : "The public listener requires "
                          + config.http().auth()
                          + " authentication (users in "
                          + config.http().authFile()
                          + "); /health and /ready stay open");
              if (RegistryFrontRoutes.sharesCredentials(config)) {
                LOG.warn(RegistryFrontRoutes.exposure(config));
              } else {
                LOG.info(RegistryFrontRoutes.exposure(config));
              }
              LOG.info(
                  "Receiving registry notifications on http://{}:{}/events{}",
                  config.webhook().host(),
                  config.webhook().port(),
                  config.webhook().requiresToken()
                      ? " (Bearer token required)"
                      : " (no webhook.token configured: any caller is accepted)");
            });
  }

  @Override
  public Future<?> stop() {
    if (database == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(
        () -> {
          database.close();
          return null;
        });
  }
}
