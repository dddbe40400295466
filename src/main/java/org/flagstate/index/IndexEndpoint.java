package org.flagstate.index;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.flagstate.cache.RenderedBody;
import org.flagstate.http.CachedJsonResponder;
import org.flagstate.http.ErrorResponses;
import org.flagstate.http.InvalidQueryException;

/**
 * Serves {@code /index/static} and {@code /index/dynamic}: validates the query, then answers from
 * the response cache (rendering on a miss) under the shared HTTP caching rules.
 */
public final class IndexEndpoint {

  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
  private static final int MAX_PARSED = 10_000;

  private final IndexQueryParser parser;
  private final IndexReader reader;
  private final IndexRenderer renderer;
  private final CachedJsonResponder responder;
  private final CharSequence staticCacheControl;

  /** Many clients send the very same query string (Flatpak's); its parse is kept, bounded. */
  private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

  private record Parsed(IndexQuery query, String cacheKey) {}

  public IndexEndpoint(
      IndexQueryParser parser,
      IndexReader reader,
      IndexRenderer renderer,
      CachedJsonResponder responder,
      Duration staticMaxAge) {
    this.parser = parser;
    this.reader = reader;
    this.renderer = renderer;
    this.responder = responder;
    this.staticCacheControl =
        HttpHeaders.createOptimized("public, max-age=" + staticMaxAge.toSeconds());
  }

  public void serve(HttpServerRequest request, boolean isStatic) {
    Parsed query;
    try {
      query = parse(request.query());
    } catch (InvalidQueryException e) {
      ErrorResponses.send(
          request.response(), 400, "INVALID_PARAMETER", e.getMessage(), e.parameter());
      return;
    }
    Supplier<Future<RenderedBody>> render =
        () ->
            reader
                .find(query.query())
                .compose(
                    matches ->
                        responder.offload(
                            matches.approximateBytes(),
                            () ->
                                RenderedBody.of(
                                    renderer.render(matches), matches.lastModifiedMillis())));
    Set<String> repositories = query.query().repositories();
    CharSequence cacheControl = isStatic ? staticCacheControl : NO_CACHE;
    if (repositories.isEmpty()) {
      responder.serveWholeIndex(request, query.cacheKey(), repositories, cacheControl, render);
    } else {
      responder.serve(request, query.cacheKey(), repositories, cacheControl, render);
    }
  }

  private Parsed parse(String rawQuery) {
    String raw = rawQuery == null ? "" : rawQuery;
    Parsed query = parsed.get(raw);
    if (query == null) {
      IndexQuery fresh = parser.parse(raw);
      query = new Parsed(fresh, fresh.cacheKey());
      if (parsed.size() >= MAX_PARSED) {
        parsed.clear();
      }
      parsed.put(raw, query);
    }
    return query;
  }
}
