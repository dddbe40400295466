package org.flagstate.front;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;
import org.flagstate.config.FlagstateConfig;
import org.flagstate.http.DistributionErrors;
import org.flagstate.http.HttpServices;
import org.flagstate.http.RouteGroup;
import org.flagstate.registry.ReferenceGrammar;

/**
 * The read-only registry front ({@code registry.front}): {@code GET}/{@code HEAD} of {@code
 * /v2/<name>/manifests/<reference>} and {@code /v2/<name>/blobs/<digest>} are relayed to the
 * configured registry and streamed back by {@link UpstreamRelay}, so that with {@code
 * registry.public_url: /} one host serves both the Flatpak index and the pulls, and a private
 * registry can be published read-only. Whose credentials a pull carries is {@link FrontAccess}'s
 * decision; by default the registry's own access control applies to every client. Names and
 * references are checked against distribution's grammar before anything goes upstream; writes under
 * {@code /v2/} are refused with 405. {@code GET /v2/}, {@code /v2/_catalog} and {@code
 * /v2/<name>/tags/list} belong to the search routes and are not matched here.
 */
public final class RegistryFrontRoutes implements RouteGroup {

  private static final String READ_PATH = "/v2/(.+)/(manifests|blobs)/([^/]+)";
  private static final String ANY_V2_PATH = "/v2/.+";

  private final FlagstateConfig config;
  private final HttpServices services;
  private UpstreamRelay relay;

  public RegistryFrontRoutes(HttpServices services) {
    this.services = services;
    this.config = services.config();
  }

  /** What the front exposes with this configuration, in words, for the start-up log. */
  public static String exposure(FlagstateConfig config) {
    return FrontAccess.describe(config.registry());
  }

  /**
   * True when anonymous clients pull with Flagstate's registry account (worth a warning at start).
   */
  public static boolean sharesCredentials(FlagstateConfig config) {
    return FrontAccess.of(config.registry()) == FrontAccess.SHARED_CREDENTIALS;
  }

  @Override
  public void mount(Router router, String prefix) {
    if (!config.registry().front()) {
      return;
    }
    relay = new UpstreamRelay(services.vertx(), config);
    String quoted = prefix.isEmpty() ? "" : Pattern.quote(prefix);
    router
        .routeWithRegex(quoted + READ_PATH)
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(this::read);
    router
        .routeWithRegex(quoted + ANY_V2_PATH)
        .method(HttpMethod.POST)
        .method(HttpMethod.PUT)
        .method(HttpMethod.PATCH)
        .method(HttpMethod.DELETE)
        .handler(RegistryFrontRoutes::refuseWrite);
  }

  private void read(RoutingContext ctx) {
    String name = ctx.pathParam("param0");
    String kind = ctx.pathParam("param1");
    String reference = ctx.pathParam("param2");
    if (!ReferenceGrammar.isName(name)) {
      error(
          ctx, 400, "NAME_INVALID", "invalid repository name", new JsonObject().put("name", name));
    } else if (kind.equals("blobs") && !ReferenceGrammar.isCanonicalDigest(reference)) {
      error(
          ctx,
          400,
          "DIGEST_INVALID",
          "invalid digest: a blob is named by its digest (sha256:<64 lower-case hex>)",
          new JsonObject().put("digest", reference));
    } else if (reference.indexOf(':') >= 0 && !ReferenceGrammar.isCanonicalDigest(reference)) {
      // a tag holds no ':'; the registry answers a non-canonical digest with a 500
      error(
          ctx,
          400,
          "DIGEST_INVALID",
          "invalid digest: use sha256:<64 lower-case hex> (or sha384, sha512)",
          new JsonObject().put("digest", reference));
    } else if (!ReferenceGrammar.isCanonicalDigest(reference)
        && !ReferenceGrammar.isTag(reference)) {
      error(
          ctx,
          400,
          "TAG_INVALID",
          "invalid tag or digest",
          new JsonObject().put("reference", reference));
    } else {
      relay.relay(
          ctx.request(),
          "/v2/" + name + "/" + kind + "/" + reference,
          "repository:" + name + ":pull");
    }
  }

  private static void refuseWrite(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    ctx.response().putHeader("Allow", "GET, HEAD");
    error(
        ctx,
        405,
        "UNSUPPORTED",
        "this is a read-only front of the registry: " + method + " is not allowed",
        new JsonObject().put("method", method.name()));
  }

  private static void error(
      RoutingContext ctx, int status, String code, String message, JsonObject detail) {
    DistributionErrors.send(ctx.response(), status, code, message, detail);
  }
}
