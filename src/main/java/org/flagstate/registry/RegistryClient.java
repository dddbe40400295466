package org.flagstate.registry;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flagstate.config.FlagstateConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything Flagstate asks a docker/distribution registry, through one client: the full manifest
 * Accept list, catalog and tag paging by {@code Link}, Basic and Bearer auth, per-request timeouts,
 * retries with exponential backoff and a cap on requests in flight. Use it from one event loop (the
 * crawler's).
 */
public final class RegistryClient {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryClient.class);

  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

  private final Vertx vertx;
  private final WebClient web;
  private final URI base;
  private final FlagstateConfig.Crawl crawl;
  private final RequestLimiter limiter;
  private final MeterRegistry meters;
  private final RegistryAuth auth;

  /** A manifest as served: its digest, its media type and its exact bytes. */
  public record Manifest(String digest, String mediaType, Buffer body) {}

  /**
   * Requests carry an idle timeout only, never a pool-acquisition ({@code connectTimeout}) one: in
   * Vert.x 5.0.x a waiter's acquisition timeout racing a recycled connection completes its promise
   * twice (eclipse-vertx/vert.x#6169, #6197, fixed in 5.1). The {@link RequestLimiter} keeps
   * requests in flight at or under the pool size, so nobody waits for a connection anyway; the TCP
   * connect timeout of the client options still bounds a registry that does not accept connections.
   */
  public RegistryClient(
      Vertx vertx,
      FlagstateConfig.Registry registry,
      FlagstateConfig.Crawl crawl,
      MeterRegistry meters) {
    this.vertx = vertx;
    this.meters = meters;
    this.crawl = crawl;
    this.base = registry.url();
    this.web =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setUserAgent("Flagstate")
                .setFollowRedirects(true)
                .setConnectTimeout((int) crawl.requestTimeout().toMillis()),
            new PoolOptions().setHttp1MaxSize(Math.max(crawl.concurrency(), 4)));
    this.limiter = new RequestLimiter(crawl.concurrency());
    this.auth = new RegistryAuth(web, registry, crawl.requestTimeout());
  }

  public String describe() {
    return base.toString();
  }

  /** Every repository name in the catalog, following {@code Link} pages. */
  public Future<List<String>> catalog() {
    return collectPages(
        url("/v2/_catalog"),
        "registry:catalog:*",
        "repositories",
        ReferenceGrammar::isName,
        new ArrayList<>());
  }

  /** The tags of a repository; empty when it has none left or is unknown. */
  public Future<List<String>> tags(String repository) {
    return collectPages(
        url("/v2/" + repository + "/tags/list"),
        pullScope(repository),
        "tags",
        ReferenceGrammar::isTag,
        new ArrayList<>());
  }

  /** The digest a reference resolves to (a HEAD), or null when the registry does not know it. */
  public Future<String> manifestDigest(String repository, String reference) {
    String path = "/v2/" + repository + "/manifests/" + reference;
    return request(HttpMethod.HEAD, url(path), MediaTypes.MANIFEST_ACCEPT, pullScope(repository))
        .compose(
            response -> {
              if (response.statusCode() == 404) {
                return Future.succeededFuture(null);
              }
              if (response.statusCode() != 200) {
                return Future.failedFuture(unexpected("HEAD " + path, response));
              }
              String digest = response.getHeader("Docker-Content-Digest");
              if (digest == null) {
                return Future.failedFuture(
                    new RegistryException(
                        "HEAD " + path + " answered without Docker-Content-Digest",
                        response.statusCode()));
              }
              return Future.succeededFuture(digest);
            });
  }

  /** A manifest by tag or digest. Fails with status 404 when it is not there. */
  public Future<Manifest> manifest(String repository, String reference) {
    String path = "/v2/" + repository + "/manifests/" + reference;
    return request(HttpMethod.GET, url(path), MediaTypes.MANIFEST_ACCEPT, pullScope(repository))
        .compose(
            response -> {
              if (response.statusCode() != 200) {
                return Future.failedFuture(unexpected("GET " + path, response));
              }
              Buffer body =
                  response.bodyAsBuffer() == null ? Buffer.buffer() : response.bodyAsBuffer();
              String digest = response.getHeader("Docker-Content-Digest");
              if (digest == null) {
                digest = Digests.sha256(body);
              }
              if (reference.startsWith("sha256:") && !Digests.sha256(body).equals(reference)) {
                return Future.failedFuture(
                    new RegistryException(
                        "GET " + path + " returned content whose digest is not " + reference, 502));
              }
              return Future.succeededFuture(
                  new Manifest(
                      digest,
                      MediaTypes.withoutParameters(response.getHeader("Content-Type")),
                      body));
            });
  }

  /** A blob's bytes (config blobs only: they are small). */
  public Future<Buffer> blob(String repository, String digest) {
    String path = "/v2/" + repository + "/blobs/" + digest;
    return request(HttpMethod.GET, url(path), null, pullScope(repository))
        .compose(
            response -> {
              if (response.statusCode() != 200) {
                return Future.failedFuture(unexpected("GET " + path, response));
              }
              return Future.succeededFuture(
                  response.bodyAsBuffer() == null ? Buffer.buffer() : response.bodyAsBuffer());
            });
  }

  /**
   * @param wellFormed the grammar an item must match; others are left out with a log line
   */
  private Future<List<String>> collectPages(
      String pageUrl, String scope, String field, Predicate<String> wellFormed, List<String> into) {
    return request(HttpMethod.GET, pageUrl, null, scope)
        .compose(
            response -> {
              if (response.statusCode() == 404 && field.equals("tags")) {
                return Future.succeededFuture(into);
              }
              if (response.statusCode() != 200) {
                return Future.failedFuture(unexpected("GET " + pageUrl, response));
              }
              JsonArray items;
              try {
                JsonObject body = response.bodyAsJsonObject();
                items = body == null ? null : body.getJsonArray(field);
              } catch (RuntimeException e) {
                return Future.failedFuture(
                    new RegistryException("GET " + pageUrl + " answered with invalid JSON", 502));
              }
              if (items != null) {
                for (Object item : items) {
                  if (item instanceof String name && wellFormed.test(name)) {
                    into.add(name);
                  } else {
                    LOG.warn(
                        "GET {} listed {}, which is not a valid {}; it is left out of the index",
                        pageUrl,
                        item instanceof String name
                            ? "'" + name.replace("\0", "\\u0000") + "'"
                            : item,
                        field.equals("tags") ? "tag" : "repository name");
                  }
                }
              }
              String next = nextLink(response.getHeader("Link"));
              return next == null
                  ? Future.succeededFuture(into)
                  : collectPages(next, scope, field, wellFormed, into);
            });
  }

  private String nextLink(String header) {
    if (header == null) {
      return null;
    }
    Matcher m = NEXT_LINK.matcher(header);
    return m.find() ? base.resolve(m.group(1)).toString() : null;
  }

  private Future<HttpResponse<Buffer>> request(
      HttpMethod method, String url, String accept, String scope) {
    return limiter.submit(() -> attempt(method, url, accept, scope, 0, false));
  }

  private Future<HttpResponse<Buffer>> attempt(
      HttpMethod method,
      String url,
      String accept,
      String scope,
      int attempt,
      boolean authAnswered) {
    HttpRequest<Buffer> request =
        web.requestAbs(method, url).idleTimeout(crawl.requestTimeout().toMillis());
    if (accept != null) {
      request.putHeader("Accept", accept);
    }
    String authorization = auth.header(scope);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return request
        .send()
        .transform(
            outcome -> {
              if (outcome.failed()) {
                countError(
                    outcome.cause() instanceof java.util.concurrent.TimeoutException
                            || String.valueOf(outcome.cause().getMessage()).contains("timeout")
                        ? "timeout"
                        : "connection");
                return retryOrFail(
                    method,
                    url,
                    accept,
                    scope,
                    attempt,
                    new RegistryException(
                        method + " " + url + " failed: " + describe(outcome.cause()),
                        outcome.cause()));
              }
              HttpResponse<Buffer> response = outcome.result();
              int status = response.statusCode();
              if (status == 401 && !authAnswered) {
                return auth.answer(response.getHeader("WWW-Authenticate"), scope)
                    .compose(v -> attempt(method, url, accept, scope, attempt, true));
              }
              if (status >= 400 && !(status == 401 && !authAnswered) && status != 404) {
                countError(
                    status == 401 || status == 403
                        ? "denied"
                        : status >= 500 ? "server" : "client");
              }
              if (status >= 500 || status == 429 || status == 408) {
                return retryOrFail(
                    method, url, accept, scope, attempt, unexpected(method + " " + url, response));
              }
              return Future.succeededFuture(response);
            });
  }

  private Future<HttpResponse<Buffer>> retryOrFail(
      HttpMethod method,
      String url,
      String accept,
      String scope,
      int attempt,
      RegistryException failure) {
    if (attempt >= crawl.retries()) {
      return Future.failedFuture(failure);
    }
    long delay = crawl.retryBackoff().toMillis() << Math.min(attempt, 16);
    return vertx
        .timer(Math.max(1, delay))
        .compose(v -> attempt(method, url, accept, scope, attempt + 1, false));
  }

  /**
   * {@code flagstate_registry_errors_total{kind}}: timeout, connection, denied, server (5xx),
   * client (other 4xx).
   */
  private void countError(String kind) {
    meters.counter("flagstate.registry.errors", "kind", kind).increment();
  }

  private static RegistryException unexpected(String what, HttpResponse<Buffer> response) {
    String body = response.bodyAsString();
    if (body != null && body.length() > 300) {
      body = body.substring(0, 300) + "…";
    }
    return new RegistryException(
        what
            + " answered "
            + response.statusCode()
            + (body == null || body.isBlank() ? "" : ": " + body.trim()),
        response.statusCode());
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }

  private String url(String path) {
    return base.resolve(path).toString();
  }

  private static String pullScope(String repository) {
    return "repository:" + repository + ":pull";
  }

  public Future<Void> close() {
    web.close();
    return Future.succeededFuture();
  }
}
