package org.flagstate.index;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import org.flagstate.http.HttpServices;
import org.flagstate.http.RouteGroup;

/**
 * {@code /index/static} and {@code /index/dynamic}, the Flatpak registry index (index-protocol.md
 * §1).
 */
public final class IndexRoutes implements RouteGroup {

  private final IndexEndpoint index;

  public IndexRoutes(HttpServices services) {
    var config = services.config();
    this.index =
        new IndexEndpoint(
            new IndexQueryParser(config.query().maxTerms(), config.query().maxQueryBytes()),
            new IndexReader(services.pool()),
            new IndexRenderer(config.registry().advertisedUrl()),
            services.responder(),
            config.cache().staticMaxAge());
  }

  @Override
  public void mount(Router router, String prefix) {
    router
        .route(prefix + "/index/static")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(ctx -> index.serve(ctx.request(), true));
    router
        .route(prefix + "/index/dynamic")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(ctx -> index.serve(ctx.request(), false));
  }
}
