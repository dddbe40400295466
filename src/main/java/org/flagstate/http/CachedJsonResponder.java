package org.flagstate.http;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.flagstate.cache.IndexFreshness;
import org.flagstate.cache.RenderedBody;
import org.flagstate.cache.RenderedResponse;
import org.flagstate.cache.ResponseCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a GET or HEAD with a cached body (JSON unless the rendered body carries its own {@code
 * Content-Type}, as the web UI's pages and assets do) under the caching rules every read endpoint
 * shares: strong ETag, 304 on If-None-Match or If-Modified-Since with the same ETag and
 * Cache-Control, precompressed gzip with Vary, Last-Modified and the freshness header.
 */
public final class CachedJsonResponder {

  private static final Logger LOG = LoggerFactory.getLogger(CachedJsonResponder.class);
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence GZIP = HttpHeaders.createOptimized("gzip");
  private static final CharSequence ACCEPT_ENCODING =
      HttpHeaders.createOptimized("Accept-Encoding");

  /** A rendered body's own {@code Content-Type} header (HTML, CSS, JavaScript) wins over JSON. */
  public static final String CONTENT_TYPE_NAME = "Content-Type";

  /** On a stale answer: how many seconds ago its bytes were current. */
  public static final String STALE_HEADER = "Flagstate-Stale";

  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");

  private final ResponseCache cache;
  private final IndexFreshness freshness;
  private final AdmissionControl admission;
  private final AdmissionControl wholeIndexRenders;

  public CachedJsonResponder(
      ResponseCache cache,
      IndexFreshness freshness,
      AdmissionControl admission,
      AdmissionControl wholeIndexRenders) {
    this.cache = cache;
    this.freshness = freshness;
    this.admission = admission;
    this.wholeIndexRenders = wholeIndexRenders;
  }

  /** See {@link ResponseCache#offload}: for rendering a large body off the event loop. */
  public <T> Future<T> offload(long bytes, Callable<T> work) {
    return cache.offload(bytes, work);
  }

  /**
   * Serves the body cached under {@code key}, rendering it with {@code render} on a miss once
   * {@link AdmissionControl} admits the work. When no fresh body can be had (database down, too
   * much uncached work), the last good body is served with {@value #STALE_HEADER} saying how old it
   * is, else a 503 with Retry-After; an outage is logged once.
   *
   * @param repositories the repositories the body can depend on; empty means any
   */
  public void serve(
      HttpServerRequest request,
      String key,
      Set<String> repositories,
      CharSequence cacheControl,
      Supplier<Future<RenderedBody>> render) {
    serve(request, key, repositories, cacheControl, render, admission::submit);
  }

  /**
   * The same for an answer that can span the whole index (a Flatpak index query naming no
   * repository: megabytes at 10,000 repositories). Such renders are also limited to as many at once
   * as there are render threads: more only hold their rows in memory while they wait for one, and
   * during a flood of them every garbage-collection pause copied those rows (docs/bench.md), while
   * searches and pages keep the rest of {@code query.max_concurrent}.
   */
  public void serveWholeIndex(
      HttpServerRequest request,
      String key,
      Set<String> repositories,
      CharSequence cacheControl,
      Supplier<Future<RenderedBody>> render) {
    serve(
        request,
        key,
        repositories,
        cacheControl,
        render,
        work -> wholeIndexRenders.submit(() -> admission.submit(work)));
  }

  private void serve(
      HttpServerRequest request,
      String key,
      Set<String> repositories,
      CharSequence cacheControl,
      Supplier<Future<RenderedBody>> render,
      ResponseCache.Admission admitted) {
    RenderedResponse hit = cache.cached(key);
    if (hit != null) {
      respond(request, hit, cacheControl);
      return;
    }
    cache
        .get(key, repositories, render, admitted)
        .onComplete(
            outcome -> {
              if (outcome.succeeded()) {
                Unavailable.recovered();
                respond(request, outcome.result(), cacheControl);
              } else {
                unavailable(request, key, outcome.cause());
              }
            });
  }

  private void unavailable(HttpServerRequest request, String key, Throwable cause) {
    ResponseCache.LastGood lastGood = cache.lastGood(key);
    if (lastGood != null) {
      Unavailable.failed(cause);
      long age = Math.max(0, (System.currentTimeMillis() - lastGood.staleSinceMillis()) / 1000);
      request.response().putHeader(STALE_HEADER, Long.toString(age));
      respond(request, lastGood.response(), NO_CACHE);
    } else {
      Unavailable.send(request.response(), cause);
    }
  }

  public void respond(
      HttpServerRequest request, RenderedResponse rendered, CharSequence cacheControl) {
    boolean gzip = acceptsGzip(request.getHeader(ACCEPT_ENCODING));
    HttpServerResponse response = request.response();
    MultiMap headers = response.headers();
    headers.set(HttpHeaders.ETAG, gzip ? rendered.gzipEtag() : rendered.etag());
    headers.set(HttpHeaders.CACHE_CONTROL, cacheControl);
    headers.set(HttpHeaders.VARY, ACCEPT_ENCODING);
    headers.set(HttpHeaders.LAST_MODIFIED, rendered.lastModified());
    rendered.headers().forEach(headers::set);
    String lastEvent = freshness.lastEventHeader();
    if (lastEvent != null) {
      headers.set(IndexFreshness.HEADER, lastEvent);
    }
    if (notModified(request, rendered)) {
      response.setStatusCode(304).end();
      return;
    }
    var body = gzip ? rendered.gzip() : rendered.identity();
    if (!rendered.headers().containsKey(CONTENT_TYPE_NAME)) {
      headers.set(HttpHeaders.CONTENT_TYPE, JSON);
    }
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
        long since =
            ZonedDateTime.parse(ifModifiedSince, DateTimeFormatter.RFC_1123_DATE_TIME)
                .toInstant()
                .toEpochMilli();
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
      if (parts.length == 0) {
        continue;
      }
      String name = parts[0].trim().toLowerCase(Locale.ROOT);
      if (name.equals("gzip") || name.equals("x-gzip") || name.equals("*")) {
        return parts.length < 2 || !parts[1].trim().replace(" ", "").matches("q=0(\\.0*)?");
      }
    }
    return false;
  }
}
