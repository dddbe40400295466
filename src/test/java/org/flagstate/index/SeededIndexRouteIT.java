package org.flagstate.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.flagstate.testsupport.RouteTestServer.HELLO;
import static org.flagstate.testsupport.RouteTestServer.HELLO_ARM;
import static org.flagstate.testsupport.RouteTestServer.MULTI;
import static org.flagstate.testsupport.RouteTestServer.MULTI_AMD64;
import static org.flagstate.testsupport.RouteTestServer.MULTI_ARM64;
import static org.flagstate.testsupport.RouteTestServer.PUBLIC_URL;
import static org.flagstate.testsupport.RouteTestServer.compact;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import org.flagstate.testsupport.RouteTestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /index/static} and {@code /index/dynamic} of the real public listener over a seeded
 * database: the exact body of index-protocol.md §1, ETag and 304, gzip, HEAD, and 400s for bad
 * parameters.
 */
@ExtendWith(VertxExtension.class)
class SeededIndexRouteIT {

  /** What Flatpak 1.14 asks, byte for byte. */
  static final String FLATPAK_QUERY =
      "/index/static?label%3Aorg.flatpak.ref%3Aexists=1&architecture=amd64&os=linux&tag=latest";

  static final String OCI = RouteTestServer.OCI;

  static RouteTestServer server;
  static WebClient client;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext context) {
    server = RouteTestServer.prepare(RouteTestServer.STANDARD_SEED);
    client = WebClient.create(vertx);
    server.deploy(vertx).onComplete(context.succeedingThenComplete());
  }

  static Future<HttpResponse<Buffer>> request(HttpMethod method, String uri, String... headers) {
    return server.request(client, method, uri, headers);
  }

  static Future<HttpResponse<Buffer>> get(String uri, String... headers) {
    return request(HttpMethod.GET, uri, headers);
  }

  static final String FLATPAK_ANSWER =
      compact(
          """
      {"Registry": "%s",
       "Results": [
        {"Name": "flatpak/hello",
         "Images": [{"Digest": "%s", "MediaType": "%s", "OS": "linux", "Architecture": "amd64",
                     "Annotations": {"org.opencontainers.image.description": "Says hello"},
                     "Labels": {"org.flatpak.ref": "app/org.test.Hello/x86_64/master",
                                "org.opencontainers.image.title": "Hello"},
                     "Tags": ["latest", "v1"]}],
         "Lists": []},
        {"Name": "multi/oci",
         "Images": [],
         "Lists": [{"Digest": "%s", "MediaType": "%s", "Tags": ["1.0", "latest"],
                    "Images": [{"Digest": "%s", "MediaType": "%s", "OS": "linux", "Architecture": "amd64",
                                "Labels": {"org.flatpak.ref": "app/org.test.Multi/x86_64/master",
                                           "org.opencontainers.image.description": "A multi-arch app"}}]}]}]}
      """
              .formatted(
                  PUBLIC_URL, HELLO, OCI, MULTI, RouteTestServer.OCI_INDEX, MULTI_AMD64, OCI));

  @Test
  void answersFlatpaksQueryWithTheExactBody(VertxTestContext context) {
    get(FLATPAK_QUERY)
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          assertThat(response.getHeader("Content-Type"))
                              .isEqualTo("application/json");
                          assertThat(response.getHeader("Cache-Control"))
                              .isEqualTo("public, max-age=60");
                          assertThat(response.getHeader("Vary")).isEqualTo("Accept-Encoding");
                          assertThat(response.getHeader("Content-Encoding")).isNull();
                          assertThat(response.getHeader("ETag")).matches("\"[^\"]+\"");
                          assertThat(response.getHeader("Last-Modified")).endsWith(" GMT");
                          assertThat(response.getHeader("Flagstate-Last-Event"))
                              .as("no event applied yet")
                              .isNull();
                          assertThat(response.bodyAsString()).isEqualTo(FLATPAK_ANSWER);
                          context.completeNow();
                        })));
  }

  @Test
  void dynamicAnswersTheSameBodyWithoutMaxAge(VertxTestContext context) {
    get(FLATPAK_QUERY.replace("/static", "/dynamic"))
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          assertThat(response.getHeader("Cache-Control")).isEqualTo("no-cache");
                          assertThat(response.getHeader("ETag")).isNotNull();
                          assertThat(response.bodyAsString()).isEqualTo(FLATPAK_ANSWER);
                          context.completeNow();
                        })));
  }

  @Test
  void theOrderOfParametersChangesNeitherBodyNorETag(VertxTestContext context) {
    get(FLATPAK_QUERY)
        .compose(
            first ->
                get("/index/static?tag=latest&os=linux&architecture=amd64"
                        + "&label:org.flatpak.ref:exists=1")
                    .onComplete(
                        context.succeeding(
                            second ->
                                context.verify(
                                    () -> {
                                      assertThat(second.statusCode()).isEqualTo(200);
                                      assertThat(second.bodyAsString())
                                          .isEqualTo(first.bodyAsString());
                                      assertThat(second.getHeader("ETag"))
                                          .isEqualTo(first.getHeader("ETag"));
                                      context.completeNow();
                                    }))));
  }

  @Test
  void takesOsAndArchitectureFromTheListWhereTheConfigHasNone(VertxTestContext context) {
    String expected =
        compact(
            """
        {"Registry": "%s",
         "Results": [
          {"Name": "flatpak/hello",
           "Images": [{"Digest": "%s", "MediaType": "%s", "OS": "linux", "Architecture": "arm64",
                       "Labels": {"org.flatpak.ref": "app/org.test.Hello/aarch64/master"}, "Tags": ["arm"]}],
           "Lists": []},
          {"Name": "multi/oci",
           "Images": [],
           "Lists": [{"Digest": "%s", "MediaType": "%s", "Tags": ["1.0", "latest"],
                      "Images": [{"Digest": "%s", "MediaType": "%s", "OS": "linux", "Architecture": "arm64",
                                  "Labels": {"org.flatpak.ref": "app/org.test.Multi/aarch64/master"}}]}]}]}
        """
                .formatted(
                    PUBLIC_URL,
                    HELLO_ARM,
                    OCI,
                    MULTI,
                    RouteTestServer.OCI_INDEX,
                    MULTI_ARM64,
                    OCI));
    get("/index/static?architecture=arm64&os=linux")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          assertThat(response.bodyAsString()).isEqualTo(expected);
                          context.completeNow();
                        })));
  }

  @Test
  void aLabelValueSelectsAcrossImagesAndListMembers(VertxTestContext context) {
    get("/index/static?label:org.flatpak.ref=app/org.test.Multi/x86_64/master&label:org.flatpak.ref="
            + "app/org.test.Hello/aarch64/master")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          JsonObject body = response.bodyAsJsonObject();
                          assertThat(
                                  body.getJsonArray("Results").stream()
                                      .map(r -> ((JsonObject) r).getString("Name"))
                                      .toList())
                              .containsExactly("flatpak/hello", "multi/oci");
                          JsonObject hello = body.getJsonArray("Results").getJsonObject(0);
                          assertThat(
                                  hello.getJsonArray("Images").getJsonObject(0).getString("Digest"))
                              .isEqualTo(HELLO_ARM);
                          JsonObject multi = body.getJsonArray("Results").getJsonObject(1);
                          assertThat(
                                  multi
                                      .getJsonArray("Lists")
                                      .getJsonObject(0)
                                      .getJsonArray("Images")
                                      .size())
                              .isEqualTo(1);
                          assertThat(
                                  multi
                                      .getJsonArray("Lists")
                                      .getJsonObject(0)
                                      .getJsonArray("Images")
                                      .getJsonObject(0)
                                      .getString("Digest"))
                              .isEqualTo(MULTI_AMD64);
                          context.completeNow();
                        })));
  }

  @Test
  void nothingMatchingIsAnEmptyResultList(VertxTestContext context) {
    get("/index/static?repository=no/such")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(200);
                          assertThat(response.bodyAsString())
                              .isEqualTo("{\"Registry\":\"" + PUBLIC_URL + "\",\"Results\":[]}");
                          context.completeNow();
                        })));
  }

  @Test
  void answers304ToItsOwnETagWithTheSameValidators(VertxTestContext context) {
    get(FLATPAK_QUERY)
        .compose(
            first -> {
              String etag = first.getHeader("ETag");
              return get(FLATPAK_QUERY, "If-None-Match", etag)
                  .map(
                      second -> {
                        context.verify(
                            () -> {
                              assertThat(second.statusCode()).isEqualTo(304);
                              assertThat(second.getHeader("ETag")).isEqualTo(etag);
                              assertThat(second.getHeader("Cache-Control"))
                                  .isEqualTo("public, max-age=60");
                              assertThat(second.getHeader("Vary")).isEqualTo("Accept-Encoding");
                              assertThat(second.body() == null || second.body().length() == 0)
                                  .isTrue();
                            });
                        return etag;
                      });
            })
        .compose(
            etag ->
                get(FLATPAK_QUERY, "If-None-Match", "\"other\", " + etag)
                    .map(
                        third -> {
                          context.verify(
                              () ->
                                  assertThat(third.statusCode())
                                      .as("a list holding the ETag")
                                      .isEqualTo(304));
                          return etag;
                        }))
        .compose(
            etag ->
                get(FLATPAK_QUERY, "If-None-Match", "*")
                    .map(
                        fourth -> {
                          context.verify(
                              () -> assertThat(fourth.statusCode()).as("*").isEqualTo(304));
                          return etag;
                        }))
        .compose(etag -> get(FLATPAK_QUERY, "If-None-Match", "\"other\""))
        .onComplete(
            context.succeeding(
                fifth ->
                    context.verify(
                        () -> {
                          assertThat(fifth.statusCode()).as("another ETag").isEqualTo(200);
                          assertThat(fifth.bodyAsString()).isEqualTo(FLATPAK_ANSWER);
                          context.completeNow();
                        })));
  }

  @Test
  void answers304ToIfModifiedSince(VertxTestContext context) {
    get(FLATPAK_QUERY)
        .compose(
            first ->
                get(FLATPAK_QUERY, "If-Modified-Since", first.getHeader("Last-Modified"))
                    .map(
                        second -> {
                          context.verify(
                              () -> {
                                assertThat(second.statusCode()).isEqualTo(304);
                                assertThat(second.getHeader("ETag"))
                                    .isEqualTo(first.getHeader("ETag"));
                              });
                          return second;
                        }))
        .compose(v -> get(FLATPAK_QUERY, "If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"))
        .onComplete(
            context.succeeding(
                third ->
                    context.verify(
                        () -> {
                          assertThat(third.statusCode()).isEqualTo(200);
                          context.completeNow();
                        })));
  }

  @Test
  void sendsPrecompressedGzipWithItsOwnETag(VertxTestContext context) {
    get(FLATPAK_QUERY)
        .compose(
            identity ->
                get(FLATPAK_QUERY, "Accept-Encoding", "gzip, deflate")
                    .map(
                        gzip -> {
                          context.verify(
                              () -> {
                                assertThat(gzip.statusCode()).isEqualTo(200);
                                assertThat(gzip.getHeader("Content-Encoding")).isEqualTo("gzip");
                                assertThat(gzip.getHeader("Vary")).isEqualTo("Accept-Encoding");
                                assertThat(gzip.getHeader("ETag"))
                                    .isNotEqualTo(identity.getHeader("ETag"))
                                    .endsWith("-gzip\"");
                                byte[] bytes = gzip.body().getBytes();
                                assertThat(bytes[0] & 0xff).isEqualTo(0x1f);
                                assertThat(bytes[1] & 0xff).isEqualTo(0x8b);
                                assertThat(gunzip(bytes)).isEqualTo(FLATPAK_ANSWER);
                              });
                          return gzip.getHeader("ETag");
                        }))
        .compose(
            gzipEtag ->
                get(FLATPAK_QUERY, "Accept-Encoding", "gzip", "If-None-Match", gzipEtag)
                    .map(
                        notModified -> {
                          context.verify(
                              () -> {
                                assertThat(notModified.statusCode()).isEqualTo(304);
                                assertThat(notModified.getHeader("ETag")).isEqualTo(gzipEtag);
                              });
                          return gzipEtag;
                        }))
        .compose(gzipEtag -> get(FLATPAK_QUERY, "Accept-Encoding", "gzip;q=0"))
        .onComplete(
            context.succeeding(
                refused ->
                    context.verify(
                        () -> {
                          assertThat(refused.getHeader("Content-Encoding"))
                              .as("gzip;q=0 refuses gzip")
                              .isNull();
                          assertThat(refused.bodyAsString()).isEqualTo(FLATPAK_ANSWER);
                          context.completeNow();
                        })));
  }

  @Test
  void headAnswersTheHeadersOfGetWithoutABody(VertxTestContext context) {
    get(FLATPAK_QUERY)
        .compose(
            got ->
                request(HttpMethod.HEAD, FLATPAK_QUERY)
                    .map(
                        head -> {
                          context.verify(
                              () -> {
                                assertThat(head.statusCode()).isEqualTo(200);
                                assertThat(head.getHeader("ETag")).isEqualTo(got.getHeader("ETag"));
                                assertThat(head.getHeader("Content-Type"))
                                    .isEqualTo("application/json");
                                assertThat(head.getHeader("Content-Length"))
                                    .isEqualTo(Integer.toString(FLATPAK_ANSWER.length()));
                                assertThat(head.body() == null || head.body().length() == 0)
                                    .isTrue();
                              });
                          return head;
                        }))
        .onComplete(context.succeedingThenComplete());
  }

  @Test
  void refusesAnUnknownParameterWithAJsonError(VertxTestContext context) {
    get("/index/static?foo=1&os=linux")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(400);
                          assertThat(response.getHeader("Content-Type"))
                              .isEqualTo("application/json");
                          assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
                          JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
                          assertThat(error.getString("code")).isEqualTo("INVALID_PARAMETER");
                          assertThat(error.getString("parameter")).isEqualTo("foo");
                          assertThat(error.getString("message"))
                              .startsWith("unknown parameter 'foo'");
                          context.completeNow();
                        })));
  }

  @Test
  void refusesExistsWithAValueOtherThanOne(VertxTestContext context) {
    get("/index/static?label%3Aorg.flatpak.ref%3Aexists=yes")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(400);
                          assertThat(response.bodyAsJsonObject())
                              .isEqualTo(
                                  new JsonObject()
                                      .put(
                                          "error",
                                          new JsonObject()
                                              .put("code", "INVALID_PARAMETER")
                                              .put(
                                                  "message",
                                                  "parameter 'label:org.flatpak.ref:exists' only takes the value 1")
                                              .put("parameter", "label:org.flatpak.ref:exists")));
                          context.completeNow();
                        })));
  }

  @Test
  void refusesANulCharacter(VertxTestContext context) {
    get("/index/static?repository=a%00b")
        .onComplete(
            context.succeeding(
                response ->
                    context.verify(
                        () -> {
                          assertThat(response.statusCode()).isEqualTo(400);
                          assertThat(
                                  response
                                      .bodyAsJsonObject()
                                      .getJsonObject("error")
                                      .getString("parameter"))
                              .isEqualTo("repository");
                          context.completeNow();
                        })));
  }

  static String gunzip(byte[] bytes) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
