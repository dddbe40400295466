package org.flagstate.ui;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.flagstate.api.ApiPage;
import org.flagstate.api.ApiReader;
import org.flagstate.api.ApiRequestParser;
import org.flagstate.api.ImageKind;
import org.flagstate.api.RepositorySearch;
import org.flagstate.bus.Addresses;
import org.flagstate.cache.RenderedBody;
import org.flagstate.cache.RenderedResponse;
import org.flagstate.config.FlagstateConfig;
import org.flagstate.http.CachedJsonResponder;
import org.flagstate.http.HttpServices;
import org.flagstate.http.InvalidQueryException;
import org.flagstate.http.QueryStrings;
import org.flagstate.http.RouteGroup;
import org.flagstate.registry.ReferenceGrammar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web UI (docs/ui.md): pages at stable URLs under {@code http.path_prefix}, rendered on the
 * server from the data {@code /api/v1} serves, cached with the index's other responses (ETag, 304,
 * gzip, dropped when the index changes), plus its hashed static assets and repository icons.
 * Parameters are validated as the JSON API validates them; a bad one gets a page saying what is
 * wrong (400), an unknown repository a 404 page. Mounted only when {@code ui.enabled}.
 */
public final class UiRoutes implements RouteGroup {

  private static final Logger LOG = LoggerFactory.getLogger(UiRoutes.class);
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
  private static final int RECENT = 12;
  private static final int COCKPIT_PAGE = ApiPage.MAX_LIMIT;
  private static final Pattern VERSION = Pattern.compile("[0-9a-f]{16}");

  private final HttpServices services;
  private final FlagstateConfig config;
  private final ApiRequestParser parser;
  private final ApiReader api;
  private final UiReader reader;
  private final HtmlPages pages = new HtmlPages();
  private final CachedJsonResponder responder;
  private final PublicAddress address;
  private UiAssets assets;
  private String prefix;

  public UiRoutes(HttpServices services) {
    this.services = services;
    this.config = services.config();
    var query = config.query();
    this.parser = new ApiRequestParser(query.maxTerms(), query.maxQueryBytes());
    this.api = new ApiReader(services.pool(), services.searchMemo());
    this.reader = new UiReader(services.pool());
    this.responder = services.responder();
    this.address = new PublicAddress(config);
  }

  @Override
  public void mount(Router router, String prefix) {
    if (!config.ui().enabled()) {
      return;
    }
    this.prefix = prefix;
    this.assets = new UiAssets(prefix + "/ui/assets");
    String quoted = prefix.isEmpty() ? "" : Pattern.quote(prefix);
    for (HttpMethod method : new HttpMethod[] {HttpMethod.GET, HttpMethod.HEAD}) {
      router.routeWithRegex(method, quoted + "/").handler(this::home);
      if (!prefix.isEmpty()) {
        router
            .routeWithRegex(method, quoted)
            .handler(
                ctx ->
                    ctx.response()
                        .setStatusCode(308)
                        .putHeader(HttpHeaders.LOCATION, prefix + "/")
                        .end());
      }
      router.route(method, prefix + "/search").handler(this::search);
      router.routeWithRegex(method, quoted + "/repositories/(.+)").handler(this::repository);
      router.route(method, prefix + "/apps").handler(this::apps);
      router.route(method, prefix + "/cockpit").handler(this::cockpit);
      router.route(method, prefix + "/updates").handler(this::updates);
      router.routeWithRegex(method, quoted + "/ui/assets/([^/]+)").handler(this::asset);
      router.routeWithRegex(method, quoted + "/ui/icon/(.+)").handler(this::icon);
    }
  }

  private Page page(String title, Page.Section section, String jsonHref, String query) {
    return new Page(prefix, assets, title, section, prefix + jsonHref, query == null ? "" : query);
  }

  private void home(RoutingContext ctx) {
    if (!noParameters(ctx)) {
      return;
    }
    services
        .vertx()
        .eventBus()
        .<JsonObject>request(
            Addresses.CRAWLER_STATUS, null, new DeliveryOptions().setSendTimeout(1000))
        .onComplete(
            reply -> {
              Views.Progress progress =
                  reply.succeeded() ? FirstCrawl.progress(reply.result().body()) : null;
              if (progress == null) {
                html(ctx, "ui:home", Set.of(), () -> renderHome(null));
              } else {
                renderHome(progress)
                    .onComplete(
                        done -> {
                          if (done.succeeded()) {
                            send(ctx, 200, "no-store", done.result());
                          } else {
                            unavailable(ctx, done.cause());
                          }
                        });
              }
            });
  }

  private Future<byte[]> renderHome(Views.Progress progress) {
    Future<UiReader.Totals> totals = reader.totals();
    Future<List<UiReader.Recent>> recent = reader.recent(RECENT);
    return Future.all(totals, recent)
        .map(
            done ->
                pages.render(
                    "home.jte",
                    new Views.Home(
                        page("Flagstate", Page.Section.HOME, "/api/v1/repositories", null),
                        totals.result().repositories(),
                        totals.result().images(),
                        totals.result().flatpakApps(),
                        recent.result().stream()
                            .map(
                                r ->
                                    Cards.card(
                                        prefix,
                                        r.name(),
                                        r.title(),
                                        r.description(),
                                        r.icon(),
                                        r.tagCount(),
                                        r.lastUpdated()))
                            .toList(),
                        progress)));
  }

  private void search(RoutingContext ctx) {
    RepositorySearch search = parse(ctx, parser::search);
    if (search == null) {
      return;
    }
    String query = search.queryString(search.page().cursor());
    html(
        ctx,
        "ui:search?" + query,
        Set.of(),
        () ->
            api.search(search)
                .map(
                    result ->
                        pages.render(
                            "search.jte",
                            SearchView.of(
                                page(
                                    search.text() == null ? "Search" : search.text() + " – Search",
                                    Page.Section.SEARCH,
                                    "/api/v1/search?" + query,
                                    search.text()),
                                search,
                                result))));
  }

  private void repository(RoutingContext ctx) {
    String name = parse(ctx, query -> parser.repository(ctx.pathParam("param0"), query));
    if (name == null) {
      return;
    }
    HttpServerRequest request = ctx.request();
    String registryHost = address.registryHost(request);
    String remoteUrl = address.flatpakRemote(request);
    api.repositoryExists(name)
        .onComplete(
            exists -> {
              if (exists.failed()) {
                unavailable(ctx, exists.cause());
              } else if (!exists.result()) {
                problem(
                    ctx,
                    404,
                    "No such repository",
                    "The index holds no repository named “"
                        + name
                        + "”. It may have been deleted, or not crawled yet.");
              } else {
                html(
                    ctx,
                    "ui:repository:" + name + "@" + registryHost + "@" + remoteUrl,
                    Set.of(name),
                    () ->
                        api.repository(name)
                            .map(
                                detail -> {
                                  if (detail == null) {
                                    throw new IllegalStateException(
                                        "repository " + name + " left the index while rendering");
                                  }
                                  return pages.render(
                                      "repository.jte",
                                      RepositoryView.of(
                                          page(
                                              name,
                                              Page.Section.REPOSITORY,
                                              "/api/v1/repositories/" + name,
                                              null),
                                          detail,
                                          config.ui().cockpitLabel(),
                                          registryHost,
                                          config.ui().flatpakRemote(),
                                          remoteUrl));
                                }));
              }
            });
  }

  private void apps(RoutingContext ctx) {
    if (!noParameters(ctx)) {
      return;
    }
    String remoteUrl = address.flatpakRemote(ctx.request());
    html(
        ctx,
        "ui:apps@" + remoteUrl,
        Set.of(),
        () ->
            reader
                .appImages()
                .map(
                    images ->
                        pages.render(
                            "apps.jte",
                            AppGallery.of(
                                page(
                                    "Flatpak apps",
                                    Page.Section.APPS,
                                    "/api/v1/search?kind=flatpak-app&limit=100",
                                    null),
                                images,
                                config.ui().flatpakRemote(),
                                remoteUrl))));
  }

  private void cockpit(RoutingContext ctx) {
    if (!noParameters(ctx)) {
      return;
    }
    RepositorySearch plugins =
        new RepositorySearch(
            null,
            new TreeSet<>(),
            new TreeSet<>(),
            new TreeSet<>(),
            new TreeSet<>(),
            new TreeSet<>(Set.of(ImageKind.COCKPIT_PLUGIN.id())),
            new TreeSet<>(),
            new ApiPage(COCKPIT_PAGE, null));
    html(
        ctx,
        "ui:cockpit",
        Set.of(),
        () ->
            api.search(plugins)
                .map(
                    result ->
                        pages.render(
                            "cockpit.jte",
                            new Views.Cockpit(
                                page(
                                    "Cockpit plugins",
                                    Page.Section.COCKPIT,
                                    "/api/v1/search?" + plugins.queryString(null),
                                    null),
                                Cards.of(prefix, result.page().repositories()),
                                result.page().total(),
                                result.page().nextAfter() == null
                                    ? null
                                    : prefix + "/search?kind=" + ImageKind.COCKPIT_PLUGIN.id()))));
  }

  private void updates(RoutingContext ctx) {
    if (!noParameters(ctx)) {
      return;
    }
    String flatpakIndex = prefix + UpdatesIndex.FLATPAK;
    String fullIndex = prefix + UpdatesIndex.ALL;
    html(
        ctx,
        "ui:updates",
        Set.of(),
        () ->
            Future.succeededFuture(
                pages.render(
                    "updates.jte",
                    new Views.Updates(
                        page("Updates", Page.Section.UPDATES, UpdatesIndex.FLATPAK, null),
                        flatpakIndex,
                        fullIndex,
                        address.flatpakRemote(ctx.request()).replaceFirst("^oci\\+", "")))));
  }

  private void asset(RoutingContext ctx) {
    UiAssets.Asset asset = assets.byHashedName(ctx.pathParam("param0"));
    if (asset == null || ctx.request().query() != null) {
      problem(
          ctx,
          404,
          "No such file",
          "This version of Flagstate has no such file; reload the page that linked it.");
      return;
    }
    responder.respond(ctx.request(), asset.response(), UiAssets.IMMUTABLE);
  }

  private void icon(RoutingContext ctx) {
    String name = ctx.pathParam("param0");
    String version;
    try {
      version = iconVersion(ctx.request().query());
    } catch (InvalidQueryException e) {
      problem(ctx, 400, "This address is not valid", e.getMessage());
      return;
    }
    if (name == null || !ReferenceGrammar.isName(name)) {
      problem(ctx, 404, "No such icon", "That is not a repository name.");
      return;
    }
    reader
        .icon(name)
        .onComplete(
            found -> {
              if (found.failed()) {
                unavailable(ctx, found.cause());
                return;
              }
              Icons.Image image = Icons.decode(found.result());
              if (image == null) {
                problem(ctx, 404, "No such icon", "The repository has no icon this host serves.");
                return;
              }
              boolean current = Icons.version(found.result()).equals(version);
              RenderedResponse response =
                  RenderedResponse.of(
                      new RenderedBody(
                          image.bytes(),
                          Map.of(
                              "Content-Type", image.type(),
                              "Content-Security-Policy",
                                  "default-src 'none'; style-src 'unsafe-inline'; sandbox",
                              "X-Content-Type-Options", "nosniff")),
                      0);
              responder.respond(ctx.request(), response, current ? UiAssets.IMMUTABLE : "no-cache");
            });
  }

  /** {@code v} of an icon URL: null when absent. */
  private String iconVersion(String rawQuery) {
    String version = null;
    for (QueryStrings.Term term :
        QueryStrings.parse(rawQuery, config.query().maxTerms(), config.query().maxQueryBytes())) {
      if (!term.key().equals("v") || version != null || !VERSION.matcher(term.value()).matches()) {
        throw new InvalidQueryException(
            term.key(), "an icon address takes one parameter, v, of 16 hex digits");
      }
      version = term.value();
    }
    return version;
  }

  /**
   * Serves a page from the response cache, rendering it on a miss; headers from {@link
   * HtmlPages#HEADERS}.
   */
  private void html(
      RoutingContext ctx, String key, Set<String> scope, Supplier<Future<byte[]>> render) {
    responder.serve(
        ctx.request(),
        key,
        scope,
        NO_CACHE,
        () -> render.get().map(bytes -> new RenderedBody(bytes, HtmlPages.HEADERS)));
  }

  private boolean noParameters(RoutingContext ctx) {
    return parse(
            ctx,
            query -> {
              List<QueryStrings.Term> terms =
                  QueryStrings.parse(
                      query, config.query().maxTerms(), config.query().maxQueryBytes());
              if (!terms.isEmpty()) {
                throw new InvalidQueryException(
                    terms.get(0).key(),
                    "This page takes no parameters, but the address has '"
                        + terms.get(0).key()
                        + "'.");
              }
              return Boolean.TRUE;
            })
        != null;
  }

  /** The parsed request, or null after answering with a 400 page. */
  private <T> T parse(RoutingContext ctx, Function<String, T> parse) {
    try {
      return parse.apply(ctx.request().query());
    } catch (InvalidQueryException e) {
      problem(ctx, 400, "This address is not valid", e.getMessage());
      return null;
    }
  }

  private void problem(RoutingContext ctx, int status, String heading, String message) {
    byte[] body =
        pages.render(
            "problem.jte",
            new Views.Problem(
                page(heading, Page.Section.ERROR, "/api/v1/repositories", null),
                status,
                heading,
                message));
    send(ctx, status, "no-store", body);
  }

  private void unavailable(RoutingContext ctx, Throwable cause) {
    LOG.error("Rendering {} failed: {}", ctx.request().path(), cause.getMessage());
    ctx.response().putHeader("Retry-After", "5");
    byte[] body =
        pages.render(
            "problem.jte",
            new Views.Problem(
                page("Unavailable", Page.Section.ERROR, "/api/v1/repositories", null),
                503,
                "The index is not available right now",
                "The index database did not answer. Try again in a few seconds."));
    send(ctx, 503, "no-store", body);
  }

  private static void send(RoutingContext ctx, int status, String cacheControl, byte[] body) {
    HttpServerResponse response = ctx.response().setStatusCode(status);
    HtmlPages.HEADERS.forEach(response::putHeader);
    response.putHeader(HttpHeaders.CACHE_CONTROL, cacheControl);
    if (ctx.request().method() == HttpMethod.HEAD) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length)).end();
    } else {
      response.end(io.vertx.core.buffer.Buffer.buffer(body));
    }
  }
}
