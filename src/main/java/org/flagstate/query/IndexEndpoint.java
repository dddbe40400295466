package org.flagstate.query;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.flagstate.cache.IndexFreshness;
import org.flagstate.cache.RenderedResponse;
import org.flagstate.cache.ResponseCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /index/static} and {@code /index/dynamic}: validates the query, answers from the shared
 * {@link ResponseCache} (rendering on a miss), and applies HTTP caching: strong ETag, 304 on
 * If-None-Match or If-Modified-Since with the same ETag and Cache-Control, precompressed gzip with Vary.
 */
public final class IndexEndpoint {

  private static final Logger LOG = LoggerFactory.getLogger(IndexEndpoint.class);
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence GZIP = HttpHeaders.createOptimized("gzip");
  private static final CharSequence ACCEPT_ENCODING = HttpHeaders.createOptimized("Accept-Encoding");
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");

  private final IndexQueryParser parser;
  private final IndexReader reader;
  private final IndexRenderer renderer;
  private final ResponseCache cache;
  private final IndexFreshness freshness;
  private final CharSequence staticCacheControl;

  public IndexEndpoint(IndexQueryParser parser, IndexReader reader, IndexRenderer renderer, ResponseCache cache,
      IndexFreshness freshness, Duration staticMaxAge) {
    this.freshness = freshness;
    this.parser = parser;
    this.reader = reader;
    this.renderer = renderer;
    this.cache = cache;
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
    CharSequence cacheControl = isStatic ? staticCacheControl : NO_CACHE;
    String key = query.cacheKey();
    RenderedResponse hit = cache.cached(key);
    if (hit != null) {
      respond(request, hit, cacheControl);
      return;
    }
    cache.get(key, query.repositories(), () -> reader.find(query).map(renderer::render)).onComplete(outcome -> {
      if (outcome.succeeded()) {
        respond(request, outcome.result(), cacheControl);
      } else {
        LOG.error("Index query {} failed: {}", key, outcome.cause().getMessage());
        request.response().putHeader("Retry-After", "5");
        ErrorResponses.send(request.response(), 503, "UNAVAILABLE",
            "the index database did not answer; try again shortly", null);
      }
    });
  }

  private void respond(HttpServerRequest request, RenderedResponse rendered, CharSequence cacheControl) {
    boolean gzip = acceptsGzip(request.getHeader(ACCEPT_ENCODING));
    HttpServerResponse response = request.response();
    MultiMap headers = response.headers();
    headers.set(HttpHeaders.ETAG, gzip ? rendered.gzipEtag() : rendered.etag());
    headers.set(HttpHeaders.CACHE_CONTROL, cacheControl);
    headers.set(HttpHeaders.VARY, ACCEPT_ENCODING);
    headers.set(HttpHeaders.LAST_MODIFIED, rendered.lastModified());
    String lastEvent = freshness.lastEventHeader();
    if (lastEvent != null) {
      headers.set(IndexFreshness.HEADER, lastEvent);
    }
    if (notModified(request, rendered)) {
      response.setStatusCode(304).end();
      return;
    }
    var body = gzip ? rendered.gzip() : rendered.identity();
    headers.set(HttpHeaders.CONTENT_TYPE, JSON);
    if (gzip) {
      headers.set(HttpHeaders.CONTENT_ENCODING, GZIP);
    }
    if (request.method() == HttpMethod.HEAD) {
      headers.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length()));
      response.end();
    } else {
      response.end(body);
    }
  }

  private static boolean notModified(HttpServerRequest request, RenderedResponse rendered) {
    String ifNoneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
    if (ifNoneMatch != null) {
      return rendered.matchesAny(ifNoneMatch);
    }
    String ifModifiedSince = request.getHeader(HttpHeaders.IF_MODIFIED_SINCE);
    if (ifModifiedSince != null) {
      try {
        long since = ZonedDateTime.parse(ifModifiedSince, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        return rendered.lastModifiedMillis() <= since;
      } catch (DateTimeParseException e) {
        return false;
      }
    }
    return false;
  }

  /** True when the client accepts gzip with a non-zero quality. */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String coding : acceptEncoding.split(",")) {
      String[] parts = coding.trim().split(";");
      String name = parts[0].trim().toLowerCase(Locale.ROOT);
      if (name.equals("gzip") || name.equals("x-gzip") || name.equals("*")) {
        return parts.length < 2 || !parts[1].trim().replace(" ", "").matches("q=0(\\.0*)?");
      }
    }
    return false;
  }
}
