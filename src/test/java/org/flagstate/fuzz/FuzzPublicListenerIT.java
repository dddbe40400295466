package org.flagstate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.flagstate.testsupport.FlagstateEnvironment;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.IndexFormat;
import org.flagstate.testsupport.PushedImage;
import org.flagstate.testsupport.PushedIndex;
import org.flagstate.testsupport.RawHttp;
import org.flagstate.testsupport.Seeds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input at every endpoint of the public listener, from seeded generators (the seed is printed;
 * replay with {@code -Dflagstate.test.seed=N}): random query strings, paths, methods and headers
 * with SQL fragments, NUL, broken %-escapes, invalid UTF-8 and oversized values, all sent over raw
 * sockets so that nothing is normalised on the way; then requests whose framing is broken (NUL and
 * control bytes in the request line, request lines and headers over the limits, bad versions,
 * header syntax and lengths). Whatever arrives, the answer is never a 5xx and every 4xx has a JSON
 * body ({@link ResponseRules}), except the web UI's HTML pages for people. About 2,500 requests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FuzzPublicListenerIT {

  private static final int REQUESTS_PER_REPETITION = 220;
  private static final int FRAMING_CASES_PER_REPETITION = 80;

  @RegisterExtension
  static final FlagstateEnvironment ENVIRONMENT =
      FlagstateEnvironment.builder().seed(FuzzPublicListenerIT::push).build();

  private final List<String> knownNames = new ArrayList<>();
  private final List<String> knownDigests = new ArrayList<>();
  private int port;

  void push(FlagstateEnvironment environment) {
    PushedImage hello =
        environment
            .pusher()
            .pushImage(
                "fuzz/hello",
                "latest",
                ImageSpec.oci()
                    .withLabel("org.flatpak.ref", "app/org.test.Hello/x86_64/master")
                    .withLabel("org.opencontainers.image.title", "Hello")
                    .withAnnotation("org.opencontainers.image.description", "Says hello"));
    environment.pusher().tagExisting("fuzz/hello", "v1", hello.digest());
    PushedIndex multi =
        environment
            .pusher()
            .pushMultiArch(
                "fuzz/multi",
                "latest",
                IndexFormat.OCI_INDEX,
                List.of(
                    ImageSpec.oci()
                        .withSeed("multi-amd64")
                        .withLabel("org.flatpak.ref", "app/org.test.Multi/x86_64/master"),
                    ImageSpec.oci().withSeed("multi-arm64").withArchitecture("arm64")));
    PushedImage plain =
        environment.pusher().pushImage("fuzz/plain", "v1", ImageSpec.dockerSchema2());
    knownNames.addAll(List.of("fuzz/hello", "fuzz/multi", "fuzz/plain"));
    knownDigests.addAll(
        List.of(
            hello.digest(),
            hello.configDigest(),
            hello.layerDigest(),
            multi.digest(),
            plain.digest(),
            plain.configDigest()));
  }

  @BeforeAll
  void bind(FlagstateInstance flagstate) {
    port = Integer.parseInt(flagstate.baseUrl().replaceAll(".*:", ""));
  }

  // --- requests that an HTTP client could send, with hostile content
  // ---------------------------------------------

  /** One request as written on the wire. */
  record Sent(String method, String target, List<String> headers, byte[] body) {
    byte[] bytes() {
      List<String> lines = new ArrayList<>();
      lines.add(method + " " + target + " HTTP/1.1");
      lines.addAll(headers);
      return RawHttp.request(lines, body);
    }

    boolean head() {
      return method.equals("HEAD");
    }

    /**
     * Registry-front content, Prometheus text and the web UI's pages are the documented non-JSON
     * successes.
     */
    boolean jsonOnSuccess() {
      String path = path();
      return !(path.contains("/manifests/")
          || path.contains("/blobs/")
          || path.contains("metrics")
          || uiPage());
    }

    /** A page of the web UI (HTML for people), as UiRoutes mounts them. */
    boolean uiPage() {
      String path = path();
      return path.equals("/")
          || path.equals("/search")
          || path.startsWith("/repositories/")
          || path.equals("/apps")
          || path.equals("/cockpit")
          || path.equals("/updates")
          || path.startsWith("/ui/");
    }

    private String path() {
      int query = target.indexOf('?');
      return query < 0 ? target : target.substring(0, query);
    }

    String describe() {
      return method
          + " "
          + target
          + " "
          + headers
          + (body.length == 0 ? "" : " +" + body.length + " body bytes");
    }
  }

  @RepeatedTest(10)
  void randomRequestsToEveryEndpointAreNeverA5xxAndEvery4xxIsJson(TestInfo test) {
    long seed = Seeds.next(test);
    NastyValues nasty = new NastyValues(Seeds.random(seed));
    ResponseRules rules = new ResponseRules(seed);
    Map<Integer, Integer> statuses = new TreeMap<>();
    int relayed = 0;
    for (int i = 0; i < REQUESTS_PER_REPETITION; i++) {
      Sent sent = request(nasty);
      RawHttp.Response response = RawHttp.exchange(port, sent.bytes(), sent.head());
      statuses.merge(response.status(), 1, Integer::sum);
      if (relayedRegistryFailure(sent, response)) {
        relayed++;
        System.out.printf(
            "relayed from the registry: %s -> %d %s%n",
            ResponseRules.printable(sent.describe()),
            response.status(),
            ResponseRules.printable(response.bodyText()));
        continue;
      }
      rules.check(
          sent.describe(), response, sent.head(), sent.jsonOnSuccess(), sent.uiPage(), false);
    }
    System.out.printf(
        "public listener, seed %d: %d random requests, statuses %s, of them %d registry errors relayed"
            + " by the front and %d web UI error pages (HTML)%n",
        seed, rules.checked(), statuses, relayed, rules.htmlErrorPages());
    rules.assertNone("random requests to the public listener");
    assertThat(statuses.keySet()).as("the generator also reaches the data").contains(200);
  }

  /**
   * The registry front relays what the registry answers, and docker/distribution 2.8.2 breaks the
   * rules twice: it answers a manifest request by the digest of a layer or config blob with a 500
   * (it cannot parse the blob as a manifest), and an unsatisfiable {@code Range} on a blob with a
   * plain-text 416 ("invalid range", Go's http.ServeContent). Those answers, recognised by the
   * registry's own headers and body on a front path, are the registry's, not Flagstate's; they are
   * counted and printed, not failed.
   */
  private static boolean relayedRegistryFailure(Sent sent, RawHttp.Response response) {
    if (sent.jsonOnSuccess()
        || sent.target().contains("metrics")
        || !"registry/2.0".equals(response.header("Docker-Distribution-Api-Version"))) {
      return false;
    }
    // Flagstate's own front errors (502 UNAVAILABLE, ...) never carry distribution's code UNKNOWN
    boolean unknown500 =
        response.status() == 500
            && (sent.head()
                || response.bodyText().startsWith("{\"errors\":[{\"code\":\"UNKNOWN\""));
    boolean range416 =
        response.status() == 416
            && sent.headers().stream().anyMatch(h -> h.startsWith("Range:"))
            && (sent.head() || response.bodyText().startsWith("invalid range"));
    return unknown500 || range416;
  }

  private Sent request(NastyValues nasty) {
    String method =
        nasty.chance(0.75)
            ? "GET"
            : nasty.chance(0.5)
                ? "HEAD"
                : nasty.pick(
                    List.of(
                        "POST",
                        "PUT",
                        "DELETE",
                        "PATCH",
                        "OPTIONS",
                        "TRACE",
                        "FOO",
                        "get",
                        "M-SEARCH"));
    List<String> headers = new ArrayList<>();
    if (nasty.chance(0.93)) {
      headers.add("Host: 127.0.0.1:" + port);
    } else if (nasty.chance(0.5)) {
      headers.add(
          "Host: "
              + headerValue(
                  nasty,
                  nasty.pick(
                      List.of(
                          "",
                          "[::1",
                          "a b",
                          "x".repeat(300),
                          "127.0.0.1:99999",
                          "ä",
                          "host:port:extra",
                          "@evil",
                          "%zz"))));
    }
    int extra = nasty.chance(0.4) ? 0 : nasty.between(1, 5);
    for (int i = 0; i < extra; i++) {
      headers.add(randomHeader(nasty));
    }
    byte[] body = new byte[0];
    if (!method.equals("GET") && !method.equals("HEAD") && nasty.chance(0.5)) {
      body = nasty.value().getBytes(StandardCharsets.UTF_8);
      headers.add("Content-Length: " + body.length);
    }
    headers.add("Connection: close");
    return new Sent(method, target(nasty), headers, body);
  }

  private String target(NastyValues nasty) {
    return switch (nasty.random().nextInt(21)) {
      case 17 ->
          "/search"
              + query(
                  nasty,
                  List.of(
                      "q",
                      "kind",
                      "namespace",
                      "architecture",
                      "os",
                      "label",
                      "mediaType",
                      "limit",
                      "cursor"));
      case 18 ->
          "/repositories/" + name(nasty) + (nasty.chance(0.2) ? query(nasty, List.of("x")) : "");
      case 19 ->
          nasty.pick(List.of("/", "/apps", "/cockpit", "/updates"))
              + (nasty.chance(0.5)
                  ? query(nasty, List.of("q", "kind", "ref", "arch", "installed", "x"))
                  : "");
      case 20 ->
          nasty.pick(List.of("/ui/assets/", "/ui/icon/"))
              + (nasty.chance(0.5) ? name(nasty) : nasty.encoded(nasty.value(), true))
              + (nasty.chance(0.3) ? query(nasty, List.of("v")) : "");
      case 0, 1, 2 ->
          "/index/"
              + (nasty.chance(0.5) ? "static" : "dynamic")
              + query(
                  nasty,
                  List.of(
                      "repository",
                      "tag",
                      "os",
                      "architecture",
                      "label:org.flatpak.ref",
                      "label:org.flatpak.ref:exists",
                      "annotation:org.opencontainers.image.description",
                      "annotation:x:exists",
                      "label:",
                      "label::exists",
                      "label:a:b:c",
                      "Label:x",
                      "label%3Aorg.flatpak.ref%3Aexists"));
      case 3 -> "/v1/search" + query(nasty, List.of("q", "n", "page"));
      case 4 -> "/v2/_catalog" + query(nasty, List.of("n", "last"));
      case 5 -> "/v2/" + name(nasty) + "/tags/list" + query(nasty, List.of("n", "last"));
      case 6 -> "/v2/" + name(nasty) + "/manifests/" + reference(nasty);
      case 7 -> "/v2/" + name(nasty) + "/blobs/" + digest(nasty);
      case 8 -> "/api/v1/repositories" + query(nasty, List.of("limit", "cursor"));
      case 9 ->
          "/api/v1/search"
              + query(
                  nasty,
                  List.of("q", "architecture", "os", "label", "mediaType", "limit", "cursor"));
      case 10 ->
          "/api/v1/repositories/"
              + name(nasty)
              + (nasty.chance(0.3) ? query(nasty, List.of("x")) : "");
      case 11 ->
          "/api/v1/digests/"
              + digest(nasty)
              + (nasty.chance(0.3) ? query(nasty, List.of("x")) : "");
      case 12 ->
          nasty.pick(
                  List.of(
                      "/v2/",
                      "/v2",
                      "/v1/_ping",
                      "/status",
                      "/health",
                      "/ready",
                      "/metrics",
                      "/",
                      "/api/v1",
                      "/api/v1/",
                      "/index",
                      "/v1"))
              + (nasty.chance(0.4) ? query(nasty, List.of("x", "q")) : "");
      case 13 -> randomPath(nasty) + (nasty.chance(0.3) ? query(nasty, List.of("q")) : "");
      case 14 ->
          nasty.pick(
                  List.of(
                      "//index/static",
                      "/index/static/",
                      "/INDEX/static",
                      "/index/./static",
                      "/index/../index/static",
                      "/v2/../status",
                      "/index//static",
                      "/./v1/search",
                      "/v2/fuzz/hello/tags/list/",
                      "/v2//tags/list",
                      "/v2/fuzz%2Fhello/tags/list",
                      "/api/v1/repositories/",
                      "/api/v1/digests/"))
              + query(nasty, List.of("q", "tag", "n"));
      case 15 -> "http://127.0.0.1:" + port + "/index/static" + query(nasty, List.of("tag", "os"));
      default ->
          nasty.pick(
              List.of(
                  "*",
                  "/index/static#fragment",
                  "/v1/search?q=hello#x",
                  "/?",
                  "/??",
                  "/index/static?&",
                  "/index/static?=",
                  "/index/static?&&&",
                  "/v1/search?q",
                  "/v1/search?q=",
                  "/v1/search?=x"));
    };
  }

  /**
   * A query string of terms with keys mostly from {@code keys}, sometimes past the term and byte
   * limits.
   */
  private String query(NastyValues nasty, List<String> keys) {
    if (nasty.chance(0.08)) {
      return "";
    }
    int terms = nasty.chance(0.05) ? nasty.between(60, 80) : nasty.between(1, 5);
    StringBuilder query = new StringBuilder("?");
    for (int i = 0; i < terms; i++) {
      if (i > 0) {
        query.append(nasty.chance(0.05) ? "&&" : "&");
      }
      String key = nasty.chance(0.85) ? nasty.pick(keys) : nasty.value();
      query.append(
          nasty.chance(0.8)
              ? (key.contains("%") ? key : NastyValues.percentEncode(key, ":"))
              : nasty.encoded(key, false));
      if (nasty.chance(0.95)) {
        query.append('=').append(nasty.encoded(knownOrNasty(nasty), false));
      }
    }
    return query.toString();
  }

  private String knownOrNasty(NastyValues nasty) {
    return switch (nasty.random().nextInt(4)) {
      case 0 -> nasty.pick(knownNames);
      case 1 ->
          nasty.pick(
              List.of(
                  "latest",
                  "v1",
                  "amd64",
                  "arm64",
                  "linux",
                  "1",
                  "10",
                  "hello",
                  "fuzz",
                  "org.flatpak.ref",
                  "app/org.test.Hello/x86_64/master",
                  "Hello",
                  nasty.pick(knownDigests)));
      default -> nasty.value();
    };
  }

  private String name(NastyValues nasty) {
    String name =
        nasty.chance(0.35)
            ? nasty.pick(knownNames)
            : nasty.chance(0.6) ? nasty.pick(NastyValues.NAMES) : nasty.value();
    return nasty.chance(0.7) ? NastyValues.percentEncode(name, "/") : nasty.encoded(name, true);
  }

  private String reference(NastyValues nasty) {
    String reference =
        nasty.chance(0.3)
            ? nasty.pick(NastyValues.TAGS)
            : nasty.chance(0.4) ? digest(nasty) : nasty.value();
    return nasty.chance(0.7)
        ? NastyValues.percentEncode(reference, ":")
        : nasty.encoded(reference, true);
  }

  private String digest(NastyValues nasty) {
    String digest =
        nasty.chance(0.4)
            ? nasty.pick(knownDigests)
            : nasty.chance(0.7) ? nasty.pick(NastyValues.DIGESTS) : nasty.value();
    return nasty.chance(0.8) ? NastyValues.percentEncode(digest, ":") : nasty.encoded(digest, true);
  }

  private static String randomPath(NastyValues nasty) {
    StringBuilder path = new StringBuilder();
    int segments = nasty.between(1, 6);
    for (int i = 0; i < segments; i++) {
      path.append('/').append(nasty.encoded(nasty.value(), true));
    }
    return path.toString();
  }

  private String randomHeader(NastyValues nasty) {
    String value = nasty.value();
    return switch (nasty.random().nextInt(16)) {
      case 0 ->
          "Accept-Encoding: "
              + headerValue(
                  nasty,
                  nasty.pick(
                      List.of(
                          "gzip",
                          "gzip;q=0",
                          "*;q=0.5",
                          "br",
                          "identity",
                          "gzip, deflate",
                          "gzip;q=",
                          "gzip;q=abc",
                          ";;;",
                          value)));
      case 1 ->
          "If-None-Match: "
              + headerValue(
                  nasty,
                  nasty.pick(
                      List.of("*", "\"abc\"", "W/\"x\"", "\"a\", \"b\"", "\"", ",,,", value)));
      case 2 ->
          "If-Modified-Since: "
              + headerValue(
                  nasty,
                  nasty.pick(
                      List.of(
                          "Thu, 01 Jan 1970 00:00:00 GMT",
                          "Fri, 31 Dec 9999 23:59:59 GMT",
                          "Sun, 31 Dec 99999 23:59:59 GMT",
                          "Mon, 32 Jan 2020 00:00:00 GMT",
                          "yesterday",
                          value)));
      case 3 ->
          "Range: "
              + headerValue(
                  nasty,
                  nasty.pick(
                      List.of(
                          "bytes=0-10",
                          "bytes=-5",
                          "bytes=abc",
                          "bytes=5-1",
                          "bytes=0-0,1-1,2-2",
                          value)));
      case 4 ->
          "Accept: "
              + headerValue(
                  nasty,
                  nasty.pick(
                      List.of(
                          "application/vnd.oci.image.manifest.v1+json",
                          "application/vnd.docker.distribution.manifest.list.v2+json",
                          "*/*",
                          "text/html",
                          value)));
      case 5 ->
          "Authorization: "
              + headerValue(
                  nasty,
                  nasty.pick(
                      List.of("Bearer " + value, "Basic " + value, "Basic Og==", "Bearer", value)));
      case 6 -> "X-Docker-Token: true";
      case 7 -> "User-Agent: " + headerValue(nasty, value);
      case 8 -> "Cookie: " + headerValue(nasty, value);
      case 9 ->
          "X-Forwarded-"
              + nasty.pick(List.of("For", "Host", "Proto", "Prefix"))
              + ": "
              + headerValue(nasty, value);
      case 10 -> "Content-Type: " + headerValue(nasty, value);
      case 11 -> "Expect: 100-continue";
      case 12 ->
          nasty.chance(0.5)
              ? "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"
              : "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13";
      case 13 -> "Origin: " + headerValue(nasty, value);
      case 14 -> "Accept-Language: " + headerValue(nasty, value);
      default ->
          nasty.ascii(nasty.between(1, 20), "abcdefghijklmnopqrstuvwxyz-")
              + ": "
              + headerValue(nasty, value);
    };
  }

  /** A header value that keeps the framing: no CR, LF or NUL (the framing test sends those). */
  private static String headerValue(NastyValues nasty, String value) {
    String kept = value.replace("\r", "").replace("\n", "").replace("\0", "");
    return kept.length() > 4000 ? kept.substring(0, 4000) : kept;
  }

  // --- broken framing
  // ---------------------------------------------------------------------------------------------

  /** A request as bytes, with what the rules allow for it. */
  record Framed(
      String kind, byte[] bytes, boolean head, boolean mayStayUnanswered, boolean halfClose) {}

  @RepeatedTest(4)
  void brokenFramingIsNeverA5xxAndEvery4xxIsJson(TestInfo test) {
    long seed = Seeds.next(test);
    NastyValues nasty = new NastyValues(Seeds.random(seed));
    ResponseRules rules = new ResponseRules(seed);
    Map<String, Map<Integer, Integer>> statuses = new TreeMap<>();
    for (int i = 0; i < FRAMING_CASES_PER_REPETITION; i++) {
      Framed framed = framed(nasty);
      RawHttp.Response response =
          RawHttp.exchange(port, framed.bytes(), framed.head(), framed.halfClose());
      statuses
          .computeIfAbsent(framed.kind(), k -> new TreeMap<>())
          .merge(response.status(), 1, Integer::sum);
      rules.check(
          framed.kind() + ": " + ResponseRules.printable(framed.bytes()),
          response,
          framed.head(),
          true,
          framed.mayStayUnanswered());
    }
    System.out.printf(
        "public listener, seed %d: %d broken requests, statuses by kind %s%n",
        seed, rules.checked(), statuses);
    rules.assertNone("broken requests to the public listener");
  }

  /**
   * Shared with the webhook listener's fuzz test: the same kinds of broken request, against {@code
   * path}, with {@code host} as the first header line(s) (more lines may follow it,
   * CRLF-separated).
   */
  static Framed framed(NastyValues nasty, String path, String method, int lineLimit, String host) {
    return switch (nasty.random().nextInt(16)) {
      case 0 ->
          new Framed(
              "request line over the limit",
              bytes(
                  method
                      + " "
                      + path
                      + "?q="
                      + "a".repeat(nasty.between(lineLimit + 10, lineLimit * 3))
                      + " HTTP/1.1",
                  host),
              false,
              false,
              false);
      case 1 ->
          new Framed(
              "header over the limit",
              bytes(
                  method + " " + path + " HTTP/1.1",
                  host,
                  "X-Big: " + "b".repeat(nasty.between(8300, 24000))),
              false,
              false,
              false);
      case 2 -> {
        List<String> lines = new ArrayList<>(List.of(method + " " + path + " HTTP/1.1", host));
        int count = nasty.between(300, 900);
        for (int i = 0; i < count; i++) {
          lines.add("X-H" + i + ": value-" + i);
        }
        yield new Framed(
            "too many headers", bytes(lines.toArray(String[]::new)), false, false, false);
      }
      case 3 ->
          new Framed(
              "NUL in the request line",
              bytes(method + " " + splice(nasty, path + "?q=x", "\0") + " HTTP/1.1", host),
              false,
              false,
              false);
      case 4 ->
          new Framed(
              "control byte in the request line",
              bytes(
                  method
                      + " "
                      + splice(
                          nasty,
                          path + "?tag=x",
                          String.valueOf(
                              (char)
                                  nasty
                                      .pick(List.of(1, 2, 7, 8, 0x0b, 0x0c, 0x1b, 0x1f, 0x7f))
                                      .intValue()))
                      + " HTTP/1.1",
                  host),
              false,
              false,
              false);
      case 5 ->
          new Framed(
              "raw non-UTF-8 bytes in the request line",
              latin1(
                  method
                      + " "
                      + splice(
                          nasty,
                          path + "?q=caf",
                          nasty.pick(
                              List.of(
                                  "\u00e9",
                                  "\u00ff\u00fe",
                                  "\u00c3\u0028",
                                  "\u00ed\u00a0\u0080",
                                  "\u0080")))
                      + " HTTP/1.1\r\n"
                      + host
                      + "\r\n\r\n"),
              false,
              false,
              false);
      case 6 ->
          new Framed(
              "broken escape in the path",
              bytes(
                  method
                      + " "
                      + splice(nasty, path, nasty.pick(NastyValues.BROKEN_ESCAPES))
                      + " HTTP/1.1",
                  host),
              false,
              false,
              false);
      // versions Netty reads but the listener does not serve (HttpVersionGuard); a later 1.x
      // minor version is served as HTTP/1.1
      case 7 ->
          new Framed(
              "bad version",
              bytes(
                  method
                      + " "
                      + path
                      + nasty.pick(
                          List.of(
                              " HTTP/1.1 extra",
                              "",
                              " HTTP/1",
                              " HTTP/1.1\0",
                              " HTTP/",
                              " HTTP/1.1.1",
                              " HTTP/a.b",
                              " HTTP/1.2",
                              " HTTP/2.0",
                              " HTTP/0.9",
                              " FOO/1.1",
                              " http/1.1")),
                  host),
              false,
              false,
              false);
      case 8 ->
          new Framed(
              "bad header line",
              bytes(
                  method + " " + path + " HTTP/1.1",
                  host,
                  nasty.pick(
                      List.of(
                          "NoColon",
                          " folded: x",
                          "Bad Name: x",
                          ": empty name",
                          "X: a\0b",
                          "X: \u0001",
                          "X-\0: y",
                          "X:\u007f",
                          "X\t: tab",
                          "Content-Length : 0",
                          "Host: second.example"))),
              false,
              false,
              false);
      case 9 ->
          new Framed(
              "bare LF line ends",
              (method + " " + path + " HTTP/1.1\n" + host + "\n\n")
                  .getBytes(StandardCharsets.ISO_8859_1),
              method.equals("HEAD"),
              false,
              false);
      case 10 ->
          new Framed(
              "bad method",
              bytes(
                  nasty.pick(
                          List.of(
                              "get",
                              "G ET",
                              "GE\0T",
                              "",
                              "X".repeat(nasty.between(100, 2000)),
                              "CONNECT 127.0.0.1:443 HTTP/1.1",
                              "PRI * HTTP/2.0"))
                      + " "
                      + path
                      + " HTTP/1.1",
                  host),
              false,
              false,
              false);
      case 11 ->
          new Framed(
              "bad body length",
              bytes(
                  method + " " + path + " HTTP/1.1",
                  host,
                  nasty.pick(
                      List.of(
                          "Content-Length: -1",
                          "Content-Length: abc",
                          "Content-Length: 5\r\nContent-Length: 6",
                          "Content-Length: 99999999999999999999",
                          "Transfer-Encoding: gzip",
                          "Transfer-Encoding: chunked\r\nContent-Length: 5",
                          "Transfer-Encoding: chunked, identity"))),
              false,
              true,
              true);
      case 12 ->
          new Framed(
              "broken chunked body",
              concat(
                  bytes(method + " " + path + " HTTP/1.1", host, "Transfer-Encoding: chunked"),
                  nasty
                      .pick(
                          List.of(
                              "zz\r\nab\r\n0\r\n\r\n",
                              "5\r\nab\r\n",
                              "ffffffffffffffff\r\n",
                              "3;x=\0\r\nabc\r\n0\r\n\r\n",
                              "-1\r\n\r\n"))
                      .getBytes(StandardCharsets.ISO_8859_1)),
              false,
              true,
              true);
      case 13 ->
          new Framed(
              "body shorter than its length",
              concat(
                  bytes(
                      method + " " + path + " HTTP/1.1",
                      host,
                      "Content-Type: application/json",
                      "Content-Length: 100"),
                  "{\"events\": [".getBytes(StandardCharsets.UTF_8)),
              false,
              true,
              true);
      case 14 -> {
        byte[] garbage = new byte[nasty.between(1, 300)];
        nasty.random().nextBytes(garbage);
        yield new Framed(
            "random bytes",
            concat(garbage, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)),
            false,
            false,
            true);
      }
      default ->
          new Framed(
              "odd request target",
              bytes(
                  method
                      + " "
                      + nasty.pick(
                          List.of(
                              "*",
                              "index/static",
                              "http://example.org" + path,
                              "//" + path,
                              "127.0.0.1:80",
                              "/%00",
                              "/" + "\u00ff"))
                      + " HTTP/1.1",
                  host),
              false,
              false,
              false);
    };
  }

  private Framed framed(NastyValues nasty) {
    String path =
        nasty.pick(
            List.of(
                "/index/static",
                "/v1/search",
                "/v2/_catalog",
                "/v2/fuzz/hello/tags/list",
                "/api/v1/search",
                "/v2/fuzz/hello/manifests/latest",
                "/status",
                "/health"));
    String method = nasty.chance(0.8) ? "GET" : "POST";
    return framed(nasty, path, method, 8192, "Host: 127.0.0.1");
  }

  private static String splice(NastyValues nasty, String text, String inserted) {
    int at = 1 + nasty.random().nextInt(text.length());
    return text.substring(0, at) + inserted + text.substring(at);
  }

  /**
   * Request lines joined with CRLF and ended by an empty line; each char is one byte (ISO-8859-1).
   */
  static byte[] bytes(String... lines) {
    return latin1(String.join("\r\n", lines) + "\r\n\r\n");
  }

  static byte[] latin1(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] concat(byte[] first, byte[] second) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(first);
    out.writeBytes(second);
    return out.toByteArray();
  }

  // --- the limits, exactly
  // ----------------------------------------------------------------------------------------

  @Test
  void aRequestLineOverTheLimitIsA414WithAJsonBody() throws Exception {
    RawHttp.Response response =
        RawHttp.exchange(
            port,
            bytes("GET /index/static?tag=" + "a".repeat(9000) + " HTTP/1.1", "Host: 127.0.0.1"),
            false);
    assertThat(response.status()).as(response.toString()).isEqualTo(414);
    assertThat(response.header("Content-Type")).isEqualTo("application/json");
    assertThat(new ObjectMapper().readTree(response.body()).path("error").path("code").asText())
        .isEqualTo("URI_TOO_LONG");
  }

  @Test
  void headersOverTheLimitAreA431WithAJsonBody() throws Exception {
    RawHttp.Response response =
        RawHttp.exchange(
            port,
            bytes("GET /index/static HTTP/1.1", "Host: 127.0.0.1", "X-Big: " + "b".repeat(9000)),
            false);
    assertThat(response.status()).as(response.toString()).isEqualTo(431);
    assertThat(response.header("Content-Type")).isEqualTo("application/json");
    assertThat(new ObjectMapper().readTree(response.body()).path("error").path("code").asText())
        .isEqualTo("HEADERS_TOO_LARGE");
  }

  // --- what the generators found, pinned
  // -------------------------------------------------------------------------

  /**
   * Vert.x 5.0.7's authority check threw on {@code Host: %zz}: no answer, the connection held open,
   * a stack trace.
   */
  @Test
  void aHostHeaderVertxCannotParseIsA400NotAHungConnection() throws Exception {
    for (String host : List.of("%zz", "%", "a%4", "%zz:80")) {
      RawHttp.Response response =
          RawHttp.exchange(port, bytes("GET /index/static HTTP/1.1", "Host: " + host), false);
      assertThat(response.status()).as(host + ": " + response).isEqualTo(400);
      assertThat(new ObjectMapper().readTree(response.body()).path("error").path("code").asText())
          .isEqualTo("BAD_REQUEST");
    }
  }

  /**
   * {@code Accept-Encoding: ;;;} split into no parts at all: an ArrayIndexOutOfBoundsException and
   * a 500.
   */
  @Test
  void anAcceptEncodingOfOnlySeparatorsIsServedUncompressed() {
    RawHttp.Response response =
        RawHttp.exchange(
            port,
            bytes(
                "GET /index/static?tag=latest HTTP/1.1", "Host: 127.0.0.1", "Accept-Encoding: ;;;"),
            false);
    assertThat(response.status()).as(response.toString()).isEqualTo(200);
    assertThat(response.header("Content-Encoding")).isNull();
  }

  /**
   * The front passed every digest of the reference grammar upstream (upper-case hex, any length of
   * 32 or more, any algorithm); docker/distribution answers those with a 500 for a manifest, or a
   * plain-text 404 for an upper-case algorithm. Now only canonical digests go upstream; the rest
   * are a 400 DIGEST_INVALID in distribution's shape.
   */
  @Test
  void nonCanonicalDigestsAreRefusedByTheFrontInsteadOfRelayingTheRegistrys500() throws Exception {
    String hex = "a".repeat(64);
    for (String reference :
        List.of(
            "sha256:" + hex.toUpperCase(),
            "sha256:" + hex + "a",
            "sha256:" + hex.substring(1),
            "SHA256:" + hex,
            "md5:" + "c".repeat(32),
            "sha256+b64:" + hex,
            "sha512:" + "b".repeat(64))) {
      for (String kind : List.of("manifests", "blobs")) {
        RawHttp.Response response =
            RawHttp.exchange(
                port,
                bytes(
                    "GET /v2/fuzz/hello/" + kind + "/" + reference + " HTTP/1.1",
                    "Host: 127.0.0.1"),
                false);
        assertThat(response.status()).as(kind + "/" + reference + ": " + response).isEqualTo(400);
        assertThat(
                new ObjectMapper()
                    .readTree(response.body())
                    .path("errors")
                    .path(0)
                    .path("code")
                    .asText())
            .isEqualTo("DIGEST_INVALID");
      }
    }
    RawHttp.Response canonical =
        RawHttp.exchange(
            port,
            bytes("GET /v2/fuzz/hello/manifests/sha256:" + hex + " HTTP/1.1", "Host: 127.0.0.1"),
            false);
    assertThat(canonical.status()).as("a canonical digest still goes upstream").isEqualTo(404);
    assertThat(canonical.bodyText()).contains("MANIFEST_UNKNOWN");
  }

  /**
   * Vert.x 5.0.7 answers a request line whose version Netty reads but Vert.x does not speak itself,
   * before any handler of Flagstate's runs: a 501 with an empty body and the client's version
   * echoed in the status line ({@code HTTP/0.9 501 Not Implemented}). {@code HttpVersionGuard}
   * fixes the request up ahead of Vert.x: a later 1.x minor version is served as HTTP/1.1 (RFC 9112
   * §2.3), anything else (another major version, another protocol name, or a spelling the grammar
   * does not allow: the name is case-sensitive, the digits single) is a JSON 400 (a 505 would be a
   * 5xx), answered as HTTP/1.1. (Netty upper-cases the name and drops leading zeros before the
   * guard sees them, so {@code http/1.2} is served like {@code HTTP/1.2}.)
   */
  @Test
  void unsupportedHttpVersionsAreA4xxWithAJsonBody() throws Exception {
    assertUnsupportedVersionsRefused(port, "/index/static");
  }

  @Test
  void aLaterHttp1MinorVersionIsServedAsHttp11() {
    for (String version : List.of("HTTP/1.2", "HTTP/1.9")) {
      RawHttp.Response response =
          RawHttp.exchange(port, bytes("GET /index/static " + version, "Host: 127.0.0.1"), false);
      assertThat(response.status()).as(version + ": " + response).isEqualTo(200);
      assertThat(response.statusLine()).as(version).startsWith("HTTP/1.1 ");
      assertThat(response.header("Connection")).as(version).isNull();
    }
  }

  /**
   * Pipelined requests are answered in order whatever their versions; the connection stays open
   * after a later minor version and closes after the refusal of one not served.
   */
  @Test
  void pipelinedRequestsWithOtherVersionsAreAnsweredInOrder() throws Exception {
    List<RawHttp.Response> responses =
        RawHttp.pipelined(
            port,
            concat(
                concat(
                    bytes("GET /index/static HTTP/1.1", "Host: 127.0.0.1"),
                    bytes("GET /index/static HTTP/1.2", "Host: 127.0.0.1")),
                concat(
                    bytes("GET /index/static HTTP/2.0", "Host: 127.0.0.1"),
                    bytes("GET /index/static HTTP/1.1", "Host: 127.0.0.1"))),
            4);
    assertThat(responses).extracting(RawHttp.Response::status).containsExactly(200, 200, 400, -1);
    assertThat(responses.get(0).bodyText()).isEqualTo(responses.get(1).bodyText());
    assertThat(
            new ObjectMapper()
                .readTree(responses.get(2).body())
                .path("error")
                .path("code")
                .asText())
        .isEqualTo("HTTP_VERSION_NOT_SUPPORTED");
  }

  /**
   * Shared with the webhook listener: every version Netty reads but the listener does not serve is
   * a JSON 400 on an HTTP/1.1 status line, and the connection closes.
   */
  static void assertUnsupportedVersionsRefused(int port, String path) throws Exception {
    for (String version :
        List.of(
            "HTTP/2.0",
            "HTTP/3.0",
            "HTTP/0.9",
            "HTTP/1.10",
            "HTTP/01.1",
            "FOO/1.1",
            "http/1.1",
            "http/1.0")) {
      RawHttp.Response response =
          RawHttp.exchange(port, bytes("GET " + path + " " + version, "Host: 127.0.0.1"), false);
      assertThat(response.status()).as(version + ": " + response).isEqualTo(400);
      assertThat(response.statusLine()).as(version).startsWith("HTTP/1.1 ");
      assertThat(response.header("Content-Type")).as(version).isEqualTo("application/json");
      assertThat(response.header("Connection")).as(version).isEqualTo("close");
      assertThat(new ObjectMapper().readTree(response.body()).path("error").path("code").asText())
          .as(version)
          .isEqualTo("HTTP_VERSION_NOT_SUPPORTED");
    }
  }
}
