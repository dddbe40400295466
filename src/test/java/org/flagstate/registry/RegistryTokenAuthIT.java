package org.flagstate.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.flagstate.testsupport.RegistryTokenService;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The crawler against the real docker-registry configured for the Bearer token flow ({@code
 * auth.token}), with {@link RegistryTokenService} as the auth service: Flagstate follows the 401
 * challenge to the realm, fetches a token per scope with its configured Basic credentials and
 * retries with it; wrong credentials are reported.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryTokenAuthIT {

  private static final String USER = "crawler";
  private static final String PASSWORD = "token-secret";
  private static final String REPOSITORY = "private/app";

  RegistryTokenService tokens;
  RegistryProcess registry;

  @BeforeAll
  void start() {
    tokens = RegistryTokenService.start(USER, PASSWORD);
    registry = tokens.configure(RegistryProcess.builder()).start();
    RegistryPusher pusher =
        new RegistryPusher(registry.baseUrl(), "Bearer " + tokens.mint(REPOSITORY, "pull", "push"));
    pusher.pushImage(REPOSITORY, "latest", ImageSpec.oci().withSeed("token-auth"));
  }

  @AfterAll
  void stop() {
    if (registry != null) {
      registry.close();
    }
    if (tokens != null) {
      tokens.close();
    }
  }

  @Test
  void theRegistryReallyDemandsATokenFromTheRealm() throws Exception {
    HttpResponse<String> anonymous =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/v2/_catalog")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(
            challenge ->
                assertThat(challenge)
                    .startsWith("Bearer ")
                    .contains("realm=\"" + tokens.realmUrl() + "\"")
                    .contains("service=\"" + RegistryTokenService.SERVICE + "\"")
                    .contains("scope=\"registry:catalog:*\""));
  }

  @Test
  void withTheRightCredentialsTheCrawlerFetchesTokensPerScopeAndIndexes() {
    int requestsBefore = tokens.requests().size();
    try (FlagstateInstance flagstate =
        FlagstateInstance.start(
            Map.of(
                "registry.url",
                registry.baseUrl(),
                "database.url",
                TestDatabase.createDatabase(),
                "crawl.interval",
                "1h",
                "registry.username",
                USER,
                "registry.password",
                PASSWORD))) {
      flagstate.awaitSyncsAfter(0);
      JsonObject crawler = flagstate.status().getJsonObject("crawler");
      assertThat(crawler.getString("lastSyncOutcome"))
          .as("crawler status %s; registry log:\n%s", crawler, registry.logTail(30))
          .isEqualTo("ok");
      assertThat(crawler.containsKey("lastError")).as("crawler status %s", crawler).isFalse();

      HttpResponse<byte[]> index = flagstate.get("/index/static");
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(new String(index.body())).contains(REPOSITORY).contains("\"latest\"");

      var requests = tokens.requests().subList(requestsBefore, tokens.requests().size());
      assertThat(requests)
          .allSatisfy(
              request -> {
                assertThat(request.status()).isEqualTo(200);
                assertThat(request.user()).isEqualTo(USER);
                assertThat(request.service()).isEqualTo(RegistryTokenService.SERVICE);
              });
      assertThat(requests.stream().flatMap(request -> request.scopes().stream()))
          .contains("registry:catalog:*", "repository:" + REPOSITORY + ":pull");
    }
  }

  @Test
  void withWrongCredentialsTheCrawlerSaysSoAndKeepsRunning() {
    int requestsBefore = tokens.requests().size();
    try (FlagstateInstance flagstate =
        FlagstateInstance.start(
            Map.of(
                "registry.url",
                registry.baseUrl(),
                "database.url",
                TestDatabase.createDatabase(),
                "crawl.interval",
                "1h",
                "registry.username",
                USER,
                "registry.password",
                "wrong-" + PASSWORD))) {
      JsonObject crawler =
          flagstate
              .awaitStatus(
                  s -> s.getJsonObject("crawler").containsKey("lastError"), Duration.ofSeconds(30))
              .getJsonObject("crawler");
      assertThat(crawler.getString("lastError"))
          .contains("token service answered 401")
          .contains("registry.username")
          .contains("registry.password");

      assertThat(tokens.requests().subList(requestsBefore, tokens.requests().size()))
          .isNotEmpty()
          .allSatisfy(request -> assertThat(request.status()).isEqualTo(401));
      HttpResponse<byte[]> status = flagstate.get("/status");
      assertThat(status.statusCode()).isEqualTo(200);
      HttpResponse<byte[]> index = flagstate.get("/index/static");
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(new String(index.body())).getJsonArray("Results")).isEmpty();
    }
  }

  @Test
  void theRegistryChecksTheTokensSignatureAndScope() throws Exception {
    String tags = registry.baseUrl() + "/v2/" + REPOSITORY + "/tags/list";
    String valid = tokens.mint(REPOSITORY, "pull");
    assertThat(getWithBearer(tags, valid)).isEqualTo(200);
    assertThat(getWithBearer(tags, tokens.mint("other/app", "pull"))).isEqualTo(401);
    String signature = valid.substring(valid.lastIndexOf('.') + 1);
    String flipped = (signature.charAt(0) == 'A' ? "B" : "A") + signature.substring(1);
    assertThat(getWithBearer(tags, valid.substring(0, valid.lastIndexOf('.') + 1) + flipped))
        .isEqualTo(401);
  }

  private static int getWithBearer(String url, String token) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
