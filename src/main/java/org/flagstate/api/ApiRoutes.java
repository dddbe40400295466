package org.flagstate.api;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.flagstate.cache.RenderedBody;
import org.flagstate.http.AdmissionControl;
import org.flagstate.http.CachedJsonResponder;
import org.flagstate.http.ErrorResponses;
import org.flagstate.http.HttpServices;
import org.flagstate.http.InvalidQueryException;
import org.flagstate.http.RouteGroup;
import org.flagstate.http.Unavailable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API for the web UI under {@code /api/v1/} (docs/api.md): repositories with cursor
 * paging, one repository with its tags, search with facets, and reverse lookup of a digest. Every
 * request is validated first (400 naming the parameter), then answered through the shared response
 * cache with {@code Cache-Control: no-cache}, so ETag, 304, gzip and HEAD behave as on the index.
 */
public final class ApiRoutes implements RouteGroup {

  private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");

  private final ApiRequestParser parser;
  private final ApiReader reader;
  private final ApiRenderer renderer = new ApiRenderer();
  private final CachedJsonResponder responder;
  private final AdmissionControl admission;

  public ApiRoutes(HttpServices services) {
    var query = services.config().query();
    this.parser = new ApiRequestParser(query.maxTerms(), query.maxQueryBytes());
    this.reader = new ApiReader(services.pool(), services.searchMemo());
    this.admission = services.admission();
    this.responder = services.responder();
  }

  @Override
  public void mount(Router router, String prefix) {
    String base = prefix + "/api/v1";
    String quoted = Pattern.quote(base);
    for (HttpMethod method : new HttpMethod[] {HttpMethod.GET, HttpMethod.HEAD}) {
      router.route(method, base + "/repositories").handler(ctx -> repositories(ctx, base));
      router.route(method, base + "/search").handler(ctx -> search(ctx, base));
      router.routeWithRegex(method, quoted + "/repositories/(.+)").handler(this::repository);
      router.routeWithRegex(method, quoted + "/digests/(.+)").handler(this::digest);
    }
  }

  private void repositories(RoutingContext ctx, String base) {
    ApiPage page = parse(ctx, parser::listing);
    if (page == null) {
      return;
    }
    responder.serve(
        ctx.request(),
        "api:repositories?" + page.queryString(page.cursor()),
        Set.of(),
        NO_CACHE,
        () ->
            reader
                .repositories(page)
                .map(
                    result ->
                        withLink(
                            renderer.repositories(result, page),
                            result.lastModifiedMillis(),
                            cursorAfter(result.nextAfter()),
                            next -> base + "/repositories?" + page.queryString(next))));
  }

  private void search(RoutingContext ctx, String base) {
    RepositorySearch search = parse(ctx, parser::search);
    if (search == null) {
      return;
    }
    responder.serve(
        ctx.request(),
        "api:search?" + search.queryString(search.page().cursor()),
        Set.of(),
        NO_CACHE,
        () ->
            reader
                .search(search)
                .map(
                    result ->
                        withLink(
                            renderer.search(result, search),
                            result.page().lastModifiedMillis(),
                            cursorAfter(result.page().nextAfter()),
                            next -> base + "/search?" + search.queryString(next))));
  }

  private void repository(RoutingContext ctx) {
    String name = parse(ctx, query -> parser.repository(ctx.pathParam("param0"), query));
    if (name == null) {
      return;
    }
    serveIfPresent(
        ctx,
        admission.submit(() -> reader.repositoryExists(name)),
        "no repository '" + name + "' in the index",
        "api:repository:" + name,
        Set.of(name),
        () ->
            reader
                .repository(name)
                .map(
                    detail -> {
                      if (detail == null) {
                        throw new IllegalStateException(
                            "repository " + name + " left the index while rendering");
                      }
                      return RenderedBody.of(
                          renderer.repository(detail), detail.summary().changedMillis());
                    }));
  }

  private void digest(RoutingContext ctx) {
    String digest = parse(ctx, query -> parser.digest(ctx.pathParam("param0"), query));
    if (digest == null) {
      return;
    }
    serveIfPresent(
        ctx,
        admission.submit(() -> reader.digestHeld(digest)),
        "no tag in the index holds '" + digest + "'",
        "api:digest:" + digest,
        Set.of(),
        () ->
            reader
                .digest(digest)
                .map(
                    usage -> {
                      if (usage == null) {
                        throw new IllegalStateException(
                            "digest " + digest + " left the index while rendering");
                      }
                      return RenderedBody.of(renderer.digest(usage));
                    }));
  }

  /** The parsed request, or null after answering 400. */
  private static <T> T parse(RoutingContext ctx, Function<String, T> parse) {
    try {
      return parse.apply(ctx.request().query());
    } catch (InvalidQueryException e) {
      ErrorResponses.send(ctx.response(), 400, "INVALID_PARAMETER", e.getMessage(), e.parameter());
      return null;
    }
  }

  /** A page body with {@code Link: <…>; rel="next"} when there is a next page. */
  private static RenderedBody withLink(
      byte[] body, long lastModifiedMillis, String nextCursor, Function<String, String> linkTo) {
    return new RenderedBody(
        body,
        nextCursor == null
            ? Map.of()
            : Map.of("Link", "<" + linkTo.apply(nextCursor) + ">; rel=\"next\""),
        lastModifiedMillis);
  }

  /** Answers 404 unless {@code present} holds, else serves the cached body. */
  private void serveIfPresent(
      RoutingContext ctx,
      Future<Boolean> present,
      String notFound,
      String key,
      Set<String> scope,
      Supplier<Future<RenderedBody>> render) {
    HttpServerRequest request = ctx.request();
    present.onComplete(
        outcome -> {
          if (outcome.failed()) {
            Unavailable.send(request.response(), outcome.cause());
          } else if (!outcome.result()) {
            ErrorResponses.send(request.response(), 404, "NOT_FOUND", notFound, null);
          } else {
            responder.serve(request, key, scope, NO_CACHE, render);
          }
        });
  }

  private static String cursorAfter(String name) {
    return name == null ? null : Cursor.after(name);
  }
}
