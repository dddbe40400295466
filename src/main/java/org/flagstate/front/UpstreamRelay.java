package org.flagstate.front;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.flagstate.config.FlagstateConfig;
import org.flagstate.http.DistributionErrors;
import org.flagstate.http.OutageLog;
import org.flagstate.registry.RegistryAuth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one read request of a client to the upstream registry and streams the answer back. It
 * exists so that the front never holds a blob: the upstream response is {@linkplain
 * HttpClientResponse#pipeTo piped} into the client's response, which pauses reading from the
 * registry whenever the client's socket is full and resumes when it drains (back-pressure), so
 * memory per transfer is bounded by the socket and write-queue buffers whatever the blob's size.
 * When the client goes away the upstream request is reset rather than left half-read.
 *
 * <p>Whose credentials go upstream is {@link FrontAccess}'s decision: Flagstate's own (Basic, or
 * Bearer tokens fetched through the same challenge flow as the crawler, by {@link RegistryAuth})
 * only when the operator asked for it; otherwise the client's own {@code Authorization} is
 * forwarded and a 401 with the registry's challenge is relayed back, so the registry's access
 * control holds. One instance per query verticle instance: it and its {@code RegistryAuth} are used
 * from that instance's event loop only.
 */
final class UpstreamRelay {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamRelay.class);

  /** While the registry is down every pull fails: logged once per outage, not once per pull. */
  private static final OutageLog REGISTRY_OUTAGE =
      new OutageLog(LOG, "The registry front could not reach the registry; pulls are answered 502");

  private static final List<String> REQUEST_HEADERS =
      List.of("Accept", "Range", "If-Range", "If-None-Match", "If-Modified-Since");
  private static final List<String> RESPONSE_HEADERS =
      List.of(
          "Content-Type",
          "Content-Length",
          "Docker-Content-Digest",
          "Docker-Distribution-Api-Version",
          "ETag",
          "Last-Modified",
          "Cache-Control",
          "Accept-Ranges",
          "Content-Range",
          "Content-Encoding");
  private static final String USER_AGENT = "Flagstate-front";

  private final URI base;
  private final String pathPrefix;
  private final Duration idleTimeout;
  private final HttpClient client;
  private final RegistryAuth auth;
  private final FrontAccess access;

  UpstreamRelay(Vertx vertx, FlagstateConfig config) {
    this.access = FrontAccess.of(config.registry());
    this.base = config.registry().url();
    this.pathPrefix = config.http().pathPrefix();
    this.idleTimeout = config.crawl().requestTimeout();
    boolean tls = "https".equals(base.getScheme());
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setSsl(tls)
                .setDefaultHost(base.getHost())
                .setDefaultPort(base.getPort() > 0 ? base.getPort() : tls ? 443 : 80)
                .setConnectTimeout((int) idleTimeout.toMillis()),
            new PoolOptions().setHttp1MaxSize(64));
    this.auth = new RegistryAuth(WebClient.wrap(client), config.registry(), idleTimeout);
  }

  /**
   * Sends {@code request}'s method to {@code path} upstream (a path already checked against the
   * grammar) and streams the answer to the client; a 401 is answered once with credentials for
   * {@code scope}, then the request is repeated.
   */
  void relay(HttpServerRequest request, String path, String scope) {
    attempt(request, path, scope, false);
  }

  private void attempt(HttpServerRequest request, String path, String scope, boolean authAnswered) {
    client
        .request(options(request, path, scope))
        .compose(
            upstream -> {
              request.response().closeHandler(closed -> upstream.reset());
              return upstream.send();
            })
        .onSuccess(
            response -> {
              REGISTRY_OUTAGE.succeeded();
              if (response.statusCode() == 401 && answersChallenges(request)) {
                onUnauthorized(request, response, path, scope, authAnswered);
              } else {
                stream(response, request);
              }
            })
        .onFailure(failure -> fail(request.response(), failure));
  }

  private RequestOptions options(HttpServerRequest request, String path, String scope) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().set("User-Agent", USER_AGENT);
    for (String name : REQUEST_HEADERS) {
      headers.add(name, request.headers().getAll(name));
    }
    String authorization = access == FrontAccess.SHARED_CREDENTIALS ? auth.header(scope) : null;
    if (access == FrontAccess.ANONYMOUS || access == FrontAccess.CLIENT_CREDENTIALS) {
      authorization = request.getHeader("Authorization");
      if (authorization == null && access == FrontAccess.ANONYMOUS) {
        authorization = auth.header(scope);
      }
    }
    if (authorization != null) {
      headers.set("Authorization", authorization);
    }
    return new RequestOptions()
        .setMethod(request.method())
        .setURI(path)
        .setHeaders(headers)
        .setIdleTimeout(idleTimeout.toMillis());
  }

  /**
   * Whether Flagstate answers a 401 itself: with its shared account, or with anonymous tokens for
   * an anonymous client when it has no account. A client that sent its own credentials, or any
   * client when the account is for crawling only, gets the registry's 401 and challenge.
   */
  private boolean answersChallenges(HttpServerRequest request) {
    return access == FrontAccess.SHARED_CREDENTIALS
        || access == FrontAccess.ANONYMOUS && request.getHeader("Authorization") == null;
  }

  private void onUnauthorized(
      HttpServerRequest request,
      HttpClientResponse response,
      String path,
      String scope,
      boolean authAnswered) {
    String challenge = response.getHeader("WWW-Authenticate");
    Future<Void> answered =
        authAnswered
            ? Future.failedFuture("the registry refused Flagstate's credentials for " + scope)
            : response.body().compose(ignored -> auth.answer(challenge, scope));
    answered
        .onSuccess(ok -> attempt(request, path, scope, true))
        .onFailure(
            failure -> {
              response.request().reset();
              LOG.warn("The registry front was not let in: {}", failure.getMessage());
              DistributionErrors.send(
                  request.response(),
                  403,
                  "DENIED",
                  "the registry behind this front denied Flagstate access",
                  new JsonObject().put("scope", scope));
            });
  }

  private void stream(HttpClientResponse from, HttpServerRequest request) {
    HttpServerResponse to = request.response();
    to.setStatusCode(from.statusCode());
    copyHeaders(from, to);
    int status = from.statusCode();
    if (from.request().getMethod() == HttpMethod.HEAD || status == 204 || status == 304) {
      from.end().onComplete(done -> to.end());
      return;
    }
    if (from.getHeader("Content-Length") == null && request.version() == HttpVersion.HTTP_1_1) {
      to.setChunked(true);
    }
    from.pipeTo(to)
        .onFailure(
            failure -> {
              LOG.debug("Streaming from the registry ended early: {}", failure.getMessage());
              from.request().reset();
            });
  }

  private void copyHeaders(HttpClientResponse from, HttpServerResponse to) {
    if (from.statusCode() == 401) {
      from.headers()
          .getAll("WWW-Authenticate")
          .forEach(value -> to.headers().add("WWW-Authenticate", value));
    }
    for (String name : RESPONSE_HEADERS) {
      String value = from.getHeader(name);
      if (value != null) {
        to.putHeader(name, value);
      }
    }
    String location = from.getHeader("Location");
    if (location != null) {
      to.putHeader("Location", clientLocation(location));
    }
  }

  /**
   * Where a redirect sends the client: absolute URLs (blob storage) as they are, the registry's own
   * {@code /v2/} paths back through this front, anything else resolved against the registry.
   */
  String clientLocation(String location) {
    URI uri;
    try {
      uri = URI.create(location);
    } catch (IllegalArgumentException e) {
      return location;
    }
    if (uri.isAbsolute()) {
      return location;
    }
    if (location.startsWith("/v2/")) {
      return pathPrefix + location;
    }
    return base.resolve(uri).toString();
  }

  private static void fail(HttpServerResponse response, Throwable failure) {
    if (response.closed() || response.ended()) {
      return; // the client went away (its close reset the upstream request): not the registry's
      // failure
    }
    REGISTRY_OUTAGE.failed(failure);
    if (response.headWritten()) {
      response.reset();
      return;
    }
    DistributionErrors.send(
        response,
        502,
        "UNAVAILABLE",
        "the registry behind this front did not answer; try again shortly",
        null);
  }
}
