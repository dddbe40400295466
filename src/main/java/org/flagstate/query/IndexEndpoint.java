package org.flagstate.query;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import org.flagstate.cache.RenderedBody;

/**
 * Serves {@code /index/static} and {@code /index/dynamic}: validates the query, then answers from the
 * response cache (rendering on a miss) under the shared HTTP caching rules.
 */
public final class IndexEndpoint {

  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");

  private final IndexQueryParser parser;
  private final IndexReader reader;
  private final IndexRenderer renderer;
  private final CachedJsonResponder responder;
  private final CharSequence staticCacheControl;

  public IndexEndpoint(IndexQueryParser parser, IndexReader reader, IndexRenderer renderer,
      CachedJsonResponder responder, Duration staticMaxAge) {
    this.parser = parser;
    this.reader = reader;
    this.renderer = renderer;
    this.responder = responder;
    this.staticCacheControl = HttpHeaders.createOptimized("public, max-age=" + staticMaxAge.toSeconds());
  }

  public void serve(HttpServerRequest request, boolean isStatic) {
    IndexQuery query;
    try {
      query = parser.parse(request.query());
    } catch (InvalidQueryException e) {
      ErrorResponses.send(request.response(), 400, "INVALID_PARAMETER", e.getMessage(), e.parameter());
      return;
    }
    responder.serve(request, "index:" + query.cacheKey(), query.repositories(),
        isStatic ? staticCacheControl : NO_CACHE, () -> reader.find(query).map(matches -> RenderedBody.of(renderer.render(matches))));
  }
}
