package org.flagstate.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.flagstate.testsupport.FlagstateEnvironment;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /events} as a client (or an attacker) can call it: every refusal is a JSON error with
 * the right status and stores nothing; accepted events are stored once, however often they are
 * sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookEndpointIT {

  private static final String TOKEN = "s3cret-token";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @RegisterExtension
  static final FlagstateEnvironment ENVIRONMENT =
      FlagstateEnvironment.builder()
          .withoutRegistry()
          .setting("webhook.token", TOKEN)
          .setting("webhook.max_body_bytes", "4096")
          .build();

  FlagstateInstance flagstate;
  String databaseUrl;

  @BeforeAll
  void bind(FlagstateEnvironment environment) {
    flagstate = environment.flagstate();
    databaseUrl = environment.databaseUrl();
  }

  @BeforeEach
  void emptyInbox() {
    TestDatabase.execute(databaseUrl, "delete from inbox");
  }

  static String push(String id, String repository, String tag) {
    return """
        {"id": "%s", "timestamp": "2026-11-28T10:00:00Z", "action": "push",
         "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 400,
                    "digest": "sha256:%s", "length": 400, "repository": "%s", "tag": "%s"},
         "request": {}, "actor": {}, "source": {}}"""
        .formatted(id, "a".repeat(64), repository, tag);
  }

  static String envelope(String... events) {
    return "{\"events\": [" + String.join(",", events) + "]}";
  }

  HttpResponse<String> post(String body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(flagstate.eventsUrl()))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> postAuthorized(String body) {
    return post(
        body,
        "Authorization",
        "Bearer " + TOKEN,
        "Content-Type",
        "application/vnd.docker.distribution.events.v1+json");
  }

  long inboxRows() {
    try (Connection connection = TestDatabase.connect(databaseUrl);
        ResultSet rows = connection.createStatement().executeQuery("select count(*) from inbox")) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  void assertRefused(HttpResponse<String> response, int status, String code) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(new JsonObject(response.body()).getJsonObject("error").getString("code"))
        .isEqualTo(code);
    assertThat(inboxRows()).as("nothing stored").isZero();
  }

  @Test
  void anAcceptedEventIsStoredBeforeThe200() {
    HttpResponse<String> response = postAuthorized(envelope(push("e1", "app/one", "latest")));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getInteger("stored")).isEqualTo(1);
    assertThat(inboxRows()).isEqualTo(1);
  }

  @Test
  void aRepeatedEventIdChangesNothing() {
    postAuthorized(envelope(push("dup", "app/one", "latest")));
    HttpResponse<String> again = postAuthorized(envelope(push("dup", "app/one", "latest")));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(again.body()).getInteger("stored")).isZero();
    assertThat(inboxRows()).isEqualTo(1);
  }

  @Test
  void everyOtherAuthorizationShapeIsA401() {
    String body = envelope(push("e2", "app/one", "latest"));
    assertRefused(post(body), 401, "UNAUTHORIZED");
    assertRefused(post(body, "Authorization", "Basic " + TOKEN), 401, "UNAUTHORIZED");
    assertRefused(post(body, "Authorization", "Bearer"), 401, "UNAUTHORIZED");
    assertRefused(post(body, "Authorization", "Bearer "), 401, "UNAUTHORIZED");
    assertRefused(post(body, "Authorization", "Bearer wrong-token"), 401, "UNAUTHORIZED");
    assertRefused(post(body, "Authorization", "Bearer " + TOKEN + "x"), 401, "UNAUTHORIZED");
    assertRefused(post(body, "Authorization", "\u00e9\u00e9"), 401, "UNAUTHORIZED");
    assertThat(post(body, "Authorization", "Bearer wrong").headers().firstValue("WWW-Authenticate"))
        .isPresent();
  }

  @Test
  void theSchemeIsCaseInsensitive() {
    assertThat(
            post(envelope(push("e3", "app/one", "latest")), "Authorization", "bearer " + TOKEN)
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void anOversizedBodyIsA413() {
    StringBuilder events = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      events.append(i == 0 ? "" : ",").append(push("big" + i, "app/one", "latest"));
    }
    assertRefused(postAuthorized("{\"events\": [" + events + "]}"), 413, "BODY_TOO_LARGE");
  }

  @Test
  void malformedJsonOrMissingFieldsAreA400AndStoreNothing() {
    assertRefused(postAuthorized("{\"events\": ["), 400, "INVALID_NOTIFICATION");
    assertRefused(postAuthorized("[]"), 400, "INVALID_NOTIFICATION");
    assertRefused(postAuthorized("{\"nothing\": 1}"), 400, "INVALID_NOTIFICATION");
    assertRefused(
        postAuthorized(envelope("{\"action\": \"push\", \"target\": {}}")),
        400,
        "INVALID_NOTIFICATION");
    assertRefused(
        postAuthorized(
            envelope(
                push("ok1", "app/one", "latest"),
                "{\"id\": \"x\", \"action\": \"push\", \"target\": {\"repository\": \"a\", \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\"}}")),
        400,
        "INVALID_NOTIFICATION");
    assertRefused(
        postAuthorized(envelope("{\"id\": 7, \"action\": \"push\", \"target\": {}}")),
        400,
        "INVALID_NOTIFICATION");
  }

  @Test
  void namesOutsideTheRegistryGrammarAndNulCharactersAreA400NotAStorageFailure() {
    for (String event :
        List.of(
            push("nul\\u0000", "app/one", "latest"),
            push("n2", "app/one\\u0000", "latest"),
            push("n3", "app/one", "lat\\u0000est"),
            push("n4", "App/One", "latest"),
            push("n5", "app//one", "latest"),
            push("n6", "app/one", "-dash"))) {
      HttpResponse<String> response = postAuthorized(envelope(event));
      assertRefused(response, 400, "INVALID_NOTIFICATION");
      assertThat(new JsonObject(response.body()).getJsonObject("error").getString("message"))
          .as(event)
          .containsAnyOf("NUL", "not a repository name", "not a tag");
    }
  }

  @Test
  void aNonJsonContentTypeIsA415() {
    assertRefused(
        post(
            envelope(push("t1", "app/one", "latest")),
            "Authorization",
            "Bearer " + TOKEN,
            "Content-Type",
            "text/plain"),
        415,
        "UNSUPPORTED_MEDIA_TYPE");
  }

  @Test
  void blobPullAndMountEventsAreAcknowledgedAndIgnored() {
    String blob =
        """
        {"id": "b1", "action": "push", "target": {"mediaType": "application/octet-stream", "digest": "sha256:%s",
         "repository": "app/one"}}"""
            .formatted("b".repeat(64));
    String pull =
        """
        {"id": "p1", "action": "pull", "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json",
         "digest": "sha256:%s", "repository": "app/one", "tag": "latest"}}"""
            .formatted("c".repeat(64));
    String mount =
        """
        {"id": "m1", "action": "mount", "target": {"mediaType": "application/octet-stream", "digest": "sha256:%s",
         "repository": "app/one", "fromRepository": "app/two"}}"""
            .formatted("d".repeat(64));
    HttpResponse<String> response = postAuthorized(envelope(blob, pull, mount));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getInteger("stored")).isZero();
    assertThat(inboxRows()).isZero();
  }

  @Test
  void deletesByDigestAndByTagAreStored() {
    String byDigest =
        """
        {"id": "d1", "action": "delete", "target": {"digest": "sha256:%s", "repository": "app/one"}}"""
            .formatted("e".repeat(64));
    String byTag =
        """
        {"id": "d2", "action": "delete", "target": {"repository": "app/one", "tag": "latest"}}""";
    assertThat(postAuthorized(envelope(byDigest, byTag)).statusCode()).isEqualTo(200);
    assertThat(inboxRows()).isEqualTo(2);
  }

  @Test
  void otherPathsAndMethodsAreJsonErrors() {
    HttpResponse<String> get;
    try {
      get =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(flagstate.eventsUrl())).GET().build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(new JsonObject(get.body()).getJsonObject("error").getString("code"))
        .isEqualTo("METHOD_NOT_ALLOWED");
  }

  @Test
  void anEventThatCannotBeAppliedYetStaysPendingAndStatusShowsIt() throws InterruptedException {
    assertThat(postAuthorized(envelope(push("pending1", "app/unreachable", "latest"))).statusCode())
        .isEqualTo(200);
    Thread.sleep(1500);
    JsonObject inbox = flagstate.status().getJsonObject("crawler").getJsonObject("inbox");
    assertThat(inbox.getLong("pending"))
        .as("the registry is unreachable, so the push cannot be applied")
        .isEqualTo(1);
    assertThat(inbox.getString("lastReceivedAt")).isNotBlank();
  }
}
