package org.flagstate.search;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.flagstate.cache.RenderedBody;
import org.flagstate.cache.RenderedResponse;
import org.flagstate.http.AdmissionControl;
import org.flagstate.http.CachedJsonResponder;
import org.flagstate.http.DistributionErrors;
import org.flagstate.http.ErrorResponses;
import org.flagstate.http.HttpServices;
import org.flagstate.http.InvalidQueryException;
import org.flagstate.http.RouteGroup;
import org.flagstate.http.Unavailable;
import org.flagstate.registry.ReferenceGrammar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code podman search} and {@code docker search} ask a registry host (index-protocol.md §2):
 * the v2 ping, the v1 ping and search, and distribution's catalog and tag listing with {@code
 * n}/{@code last} paging, all answered from the index.
 */
public final class SearchRoutes implements RouteGroup {

  private static final Logger LOG = LoggerFactory.getLogger(SearchRoutes.class);
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
  private static final String API_VERSION = "Docker-Distribution-Api-Version";

  private final SearchReader reader;
  private final CachedJsonResponder responder;
  private final AdmissionControl admission;

  public SearchRoutes(HttpServices services) {
    this.reader = new SearchReader(services.pool(), services.searchMemo());
    this.admission = services.admission();
    this.responder = services.responder();
  }

  @Override
  public void mount(Router router, String prefix) {
    router
        .route(prefix + "/v2/")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(this::ping);
    router.route(prefix + "/v2").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::ping);
    router
        .get(prefix + "/v1/_ping")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .putHeader("X-Docker-Registry-Standalone", "true")
                    .end("{\"standalone\":true}"));
    router.get(prefix + "/v1/search").handler(this::search);
    router
        .route(prefix + "/v2/_catalog")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(ctx -> catalog(ctx, prefix));
    router
        .routeWithRegex(HttpMethod.GET, quote(prefix) + "/v2/(.+)/tags/list")
        .handler(ctx -> tags(ctx, prefix));
    router
        .routeWithRegex(HttpMethod.HEAD, quote(prefix) + "/v2/(.+)/tags/list")
        .handler(ctx -> tags(ctx, prefix));
  }

  private static String quote(String prefix) {
    return prefix.isEmpty() ? "" : java.util.regex.Pattern.quote(prefix);
  }

  private void ping(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .putHeader(API_VERSION, "registry/2.0")
        .end("{}");
  }

  private void search(RoutingContext ctx) {
    SearchRequest request;
    try {
      request = SearchRequest.parse(ctx.request().query());
    } catch (InvalidQueryException e) {
      ErrorResponses.send(ctx.response(), 400, "INVALID_PARAMETER", e.getMessage(), e.parameter());
      return;
    }
    responder.serve(
        ctx.request(),
        request.cacheKey(),
        Set.of(),
        NO_CACHE,
        () ->
            reader
                .search(request)
                .map(hits -> RenderedBody.of(render(request, hits), hits.lastModifiedMillis())));
  }

  private static byte[] render(SearchRequest request, SearchReader.Hits hits) {
    JsonArray results = new JsonArray();
    for (SearchReader.Hit hit : hits.hits()) {
      JsonObject result =
          new JsonObject()
              .put("name", hit.name())
              .put("description", hit.description())
              .put("star_count", 0)
              .put("is_official", false)
              .put("is_automated", false);
      if (hit.title() != null) {
        result.put("title", hit.title());
      }
      if (hit.icon() != null) {
        result.put("icon", hit.icon());
      }
      results.add(result);
    }
    long pages = (hits.total() + request.pageSize() - 1) / request.pageSize();
    return new JsonObject()
        .put("num_results", hits.total())
        .put("num_pages", pages)
        .put("page", request.page())
        .put("page_size", request.pageSize())
        .put("query", request.term())
        .put("results", results)
        .toBuffer()
        .getBytes();
  }

  private void catalog(RoutingContext ctx, String prefix) {
    PageRequest page = pageOrError(ctx);
    if (page == null) {
      return;
    }
    admission
        .submit(() -> reader.catalog(page))
        .onComplete(
            result -> {
              if (result.failed()) {
                unavailable(ctx, result.cause());
                return;
              }
              SearchReader.Names names = result.result();
              if (names.more()) {
                link(ctx, prefix + "/v2/_catalog", names, page);
              }
              send(
                  ctx,
                  new JsonObject().put("repositories", new JsonArray(names.names())),
                  names.lastModifiedMillis());
            });
  }

  private void tags(RoutingContext ctx, String prefix) {
    String repository = ctx.pathParam("param0");
    if (!ReferenceGrammar.isName(repository)) {
      DistributionErrors.send(
          ctx.response(),
          400,
          "NAME_INVALID",
          "invalid repository name",
          new JsonObject().put("name", repository));
      return;
    }
    PageRequest page = pageOrError(ctx);
    if (page == null) {
      return;
    }
    admission
        .submit(() -> reader.tags(repository, page))
        .onComplete(
            result -> {
              if (result.failed()) {
                unavailable(ctx, result.cause());
                return;
              }
              SearchReader.Names names = result.result();
              if (names == null) {
                DistributionErrors.send(
                    ctx.response(),
                    404,
                    "NAME_UNKNOWN",
                    "repository name not known to registry",
                    new JsonObject().put("name", repository));
                return;
              }
              if (names.more()) {
                link(ctx, prefix + "/v2/" + repository + "/tags/list", names, page);
              }
              send(
                  ctx,
                  new JsonObject()
                      .put("name", repository)
                      .put("tags", new JsonArray(names.names())),
                  names.lastModifiedMillis());
            });
  }

  private static PageRequest pageOrError(RoutingContext ctx) {
    try {
      return PageRequest.parse(ctx.request().query());
    } catch (InvalidQueryException e) {
      DistributionErrors.send(
          ctx.response(),
          400,
          e.parameter().equals("n") ? "PAGINATION_NUMBER_INVALID" : "INVALID_PARAMETER",
          e.getMessage(),
          new JsonObject().put("parameter", e.parameter()));
      return null;
    }
  }

  private static void link(
      RoutingContext ctx, String path, SearchReader.Names names, PageRequest page) {
    String last = names.names().get(names.names().size() - 1);
    ctx.response()
        .putHeader(
            "Link",
            "<"
                + path
                + "?last="
                + URLEncoder.encode(last, StandardCharsets.UTF_8)
                + "&n="
                + page.n()
                + ">; rel=\"next\"");
  }

  private void send(RoutingContext ctx, JsonObject body, long lastModifiedMillis) {
    HttpServerRequest request = ctx.request();
    request.response().putHeader(API_VERSION, "registry/2.0");
    responder.respond(
        request, RenderedResponse.of(body.toBuffer().getBytes(), lastModifiedMillis), NO_CACHE);
  }

  private static void unavailable(RoutingContext ctx, Throwable cause) {
    Unavailable.send(ctx.response(), cause);
  }
}
