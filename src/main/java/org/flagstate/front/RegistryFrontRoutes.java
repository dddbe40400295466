package org.flagstate.front;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;
import org.flagstate.config.FlagstateConfig;
import org.flagstate.query.QueryServices;
import org.flagstate.query.RouteGroup;
import org.flagstate.registry.RegistryAuth;
import org.flagstate.search.DistributionErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only registry front: {@code GET}/{@code HEAD} of manifests and blobs are passed to the
 * upstream registry and its answer streamed back (the upstream body is piped into the client response
 * with back-pressure, never held in memory), with the configured credentials added. Writes are refused.
 * With {@code registry.public_url: /} one host serves the index and the pulls.
 */
public final class RegistryFrontRoutes implements RouteGroup {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryFrontRoutes.class);

  /** distribution's repository name grammar (reference/regexp.go). */
  private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
  private static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}");
  private static final String PATH = "/v2/(.+)/(manifests|blobs)/([^/]+)";

  private static final List<String> REQUEST_HEADERS = List.of("Accept", "Range", "If-None-Match", "If-Modified-Since");
  private static final List<String> RESPONSE_HEADERS = List.of("Content-Type", "Content-Length", "Docker-Content-Digest",
      "ETag", "Last-Modified", "Accept-Ranges", "Content-Range", "Cache-Control", "Location",
      "Docker-Distribution-Api-Version");

  private final FlagstateConfig.Registry registry;
  private final HttpClient upstream;
  private final RegistryAuth auth;

  public RegistryFrontRoutes(QueryServices services) {
    this.registry = services.config().registry();
    var crawl = services.config().crawl();
    URI url = registry.url();
    boolean tls = "https".equals(url.getScheme());
    this.upstream = services.vertx().createHttpClient(new HttpClientOptions()
            .setSsl(tls)
            .setDefaultHost(url.getHost())
            .setDefaultPort(url.getPort() > 0 ? url.getPort() : tls ? 443 : 80)
            .setConnectTimeout((int) crawl.requestTimeout().toMillis())
            .setIdleTimeout(60),
        new PoolOptions().setHttp1MaxSize(64));
    this.auth = new RegistryAuth(WebClient.wrap(upstream), registry, crawl.requestTimeout());
  }

  @Override
  public void mount(Router router, String prefix) {
    if (!registry.front()) {
      return;
    }
    String quoted = prefix.isEmpty() ? "" : Pattern.quote(prefix);
    String path = quoted + PATH;
    router.routeWithRegex(HttpMethod.GET, path).handler(this::pass);
    router.routeWithRegex(HttpMethod.HEAD, path).handler(this::pass);
    router.routeWithRegex(quoted + "/v2/.+/(manifests|blobs|tags)(/.*)?")
        .handler(this::refuseWrite);
  }

  private void refuseWrite(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
      ctx.next();
      return;
    }
    DistributionErrors.send(ctx.response(), 405, "UNSUPPORTED",
        "this is a read-only front of the registry: " + method + " is not allowed",
        new JsonObject().put("method", method.name()));
  }

  private void pass(RoutingContext ctx) {
    String name = ctx.pathParam("param0");
    String kind = ctx.pathParam("param1");
    String reference = ctx.pathParam("param2");
    if (!NAME.matcher(name).matches() || name.length() > 255) {
      DistributionErrors.send(ctx.response(), 400, "NAME_INVALID", "invalid repository name",
          new JsonObject().put("name", name));
      return;
    }
    boolean digest = DIGEST.matcher(reference).matches();
    if (kind.equals("blobs") && !digest) {
      DistributionErrors.send(ctx.response(), 400, "DIGEST_INVALID", "provided digest did not match uploaded content",
          new JsonObject().put("digest", reference));
      return;
    }
    if (!digest && !TAG.matcher(reference).matches()) {
      DistributionErrors.send(ctx.response(), 400, "TAG_INVALID", "manifest tag did not match URI",
          new JsonObject().put("reference", reference));
      return;
    }
    String upstreamPath = "/v2/" + name + "/" + kind + "/" + reference;
    forward(ctx.request(), upstreamPath, "repository:" + name + ":pull", false);
  }

  private void forward(HttpServerRequest request, String path, String scope, boolean authAnswered) {
    RequestOptions options = new RequestOptions().setMethod(request.method()).setURI(path);
    MultiMap headers = options.getHeaders() == null ? MultiMap.caseInsensitiveMultiMap() : options.getHeaders();
    for (String header : REQUEST_HEADERS) {
      request.headers().getAll(header).forEach(value -> headers.add(header, value));
    }
    String authorization = auth.header(scope);
    if (authorization != null) {
      headers.set("Authorization", authorization);
    }
    options.setHeaders(headers);
    upstream.request(options)
        .compose(upstreamRequest -> upstreamRequest.send())
        .onSuccess(response -> {
          if (response.statusCode() == 401 && !authAnswered) {
            String challenge = response.getHeader("WWW-Authenticate");
            response.body().compose(ignored -> auth.answer(challenge, scope)).onComplete(answered -> {
              if (answered.succeeded()) {
                forward(request, path, scope, true);
              } else {
                unavailable(request.response(), answered.cause());
              }
            });
            return;
          }
          stream(response, request.response());
        })
        .onFailure(failure -> unavailable(request.response(), failure));
  }

  private static void stream(HttpClientResponse from, HttpServerResponse to) {
    to.setStatusCode(from.statusCode());
    for (String header : RESPONSE_HEADERS) {
      String value = from.getHeader(header);
      if (value != null) {
        to.putHeader(header, value);
      }
    }
    if (from.request().getMethod() == HttpMethod.HEAD) {
      from.body().onComplete(done -> to.end());
      return;
    }
    from.pipeTo(to).onFailure(failure -> LOG.debug("Streaming from the registry ended early: {}",
        failure.getMessage()));
  }

  private static void unavailable(HttpServerResponse response, Throwable failure) {
    LOG.warn("The registry front could not reach the registry: {}", failure.getMessage());
    if (!response.headWritten()) {
      DistributionErrors.send(response, 502, "UNAVAILABLE",
          "the registry behind this front did not answer; try again shortly", null);
    } else {
      response.reset();
    }
  }
}
