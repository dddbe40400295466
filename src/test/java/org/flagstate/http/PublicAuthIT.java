package org.flagstate.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A private deployment: a registry that requires Basic auth, crawled with Flagstate's account, and
 * the public listener closed to anyone without credentials of its own (htpasswd bcrypt users, or
 * tokens). Probes stay open, and the front still passes each client's own credentials to the
 * registry.
 */
class PublicAuthIT {

  private static final String REPOSITORY = "private/app";
  private static RegistryProcess registry;
  private static RegistryProcess.Credentials registryUser;

  @BeforeAll
  static void registryThatRequiresAuth() {
    registry = RegistryProcess.builder().basicAuth("crawler").start();
    registryUser = registry.credentials().orElseThrow();
    new RegistryPusher(registry.baseUrl(), registryUser.authorizationHeader())
        .pushImage(
            REPOSITORY,
            "latest",
            ImageSpec.oci()
                .withLabel("org.flatpak.ref", "app/org.test.Private/x86_64/master")
                .withSeed("private"));
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  @Test
  void basicUsersFromAnHtpasswdFileReadTheIndexAndStrangersGet401() throws IOException {
    Path htpasswd = Files.createTempFile("flagstate-users-", ".htpasswd");
    Files.writeString(htpasswd, "# readers\nreader:" + RegistryProcess.TEST_PASSWORD_BCRYPT + "\n");
    try (FlagstateInstance flagstate = start("basic", htpasswd)) {
      HttpResponse<byte[]> anonymous = flagstate.get("/index/static");
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(challenge -> assertThat(challenge).startsWith("Basic realm="));
      assertThat(
              new JsonObject(new String(anonymous.body(), StandardCharsets.UTF_8))
                  .getJsonObject("error")
                  .getString("code"))
          .isEqualTo("UNAUTHORIZED");
      assertThat(flagstate.get("/v1/search?q=app").statusCode()).isEqualTo(401);
      assertThat(flagstate.get("/v2/_catalog").statusCode()).isEqualTo(401);
      assertThat(
              flagstate
                  .get("/index/static", "Authorization", basic("reader", "wrong"))
                  .statusCode())
          .isEqualTo(401);
      assertThat(
              flagstate
                  .get(
                      "/index/static",
                      "Authorization",
                      basic("nobody", RegistryProcess.TEST_PASSWORD))
                  .statusCode())
          .isEqualTo(401);

      String reader = basic("reader", RegistryProcess.TEST_PASSWORD);
      awaitCrawled(flagstate, reader);
      HttpResponse<byte[]> index = flagstate.get("/index/static", "Authorization", reader);
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(new String(index.body(), StandardCharsets.UTF_8)).contains(REPOSITORY);
      assertThat(flagstate.get("/index/static", "Authorization", reader).statusCode())
          .as("remembered")
          .isEqualTo(200);

      assertThat(flagstate.get("/health").statusCode()).as("probes stay open").isEqualTo(200);
      assertThat(flagstate.get("/ready").statusCode()).isEqualTo(200);
    } finally {
      Files.delete(htpasswd);
    }
  }

  @Test
  void bearerTokensFromAFileReadTheIndex() throws IOException {
    Path tokens = Files.createTempFile("flagstate-tokens-", ".txt");
    Files.writeString(tokens, "token-one\n\ntoken-two\n");
    try (FlagstateInstance flagstate = start("bearer", tokens)) {
      assertThat(flagstate.get("/index/static").statusCode()).isEqualTo(401);
      assertThat(flagstate.get("/index/static", "Authorization", "Bearer token-three").statusCode())
          .isEqualTo(401);
      assertThat(
              flagstate
                  .get("/index/static", "Authorization", "Basic dG9rZW4tb25lOg==")
                  .statusCode())
          .isEqualTo(401);
      awaitCrawled(flagstate, "Bearer token-two");
      HttpResponse<byte[]> index =
          flagstate.get("/index/static", "Authorization", "Bearer token-two");
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(new String(index.body(), StandardCharsets.UTF_8)).contains(REPOSITORY);
    } finally {
      Files.delete(tokens);
    }
  }

  private static FlagstateInstance start(String kind, Path file) {
    FlagstateInstance flagstate =
        FlagstateInstance.start(
            Map.of(
                "registry.url",
                registry.baseUrl(),
                "registry.username",
                "crawler",
                "registry.password",
                registryUser.password(),
                "database.url",
                TestDatabase.createDatabase(),
                "crawl.interval",
                "1h",
                "http.auth",
                kind,
                "http.auth_file",
                file.toString()));
    return flagstate;
  }

  private static void awaitCrawled(FlagstateInstance flagstate, String authorization) {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
    while (!new String(
            flagstate.get("/index/dynamic", "Authorization", authorization).body(),
            StandardCharsets.UTF_8)
        .contains(REPOSITORY)) {
      assertThat(System.nanoTime()).as("crawled within 60 s").isLessThan(deadline);
      FlagstateInstance.sleep(100);
    }
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
