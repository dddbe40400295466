package org.flagstate.front;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.MediaTypes;
import org.flagstate.testsupport.PushedImage;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.flagstate.testsupport.RegistryTokenService;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * The front in front of registries that demand credentials (the Bearer token flow with a real token
 * service, and htpasswd Basic auth). By default the registry's access control holds: an anonymous
 * client gets the registry's 401 and challenge, and a client pulls with its own credentials. Only
 * with {@code registry.front_credentials: true} does an anonymous client pull with Flagstate's
 * configured credentials; without usable ones it then gets distribution's 403 DENIED, not a 500 or
 * a bare 401.
 */
class RegistryFrontAuthIT {

  private static final String USER = "crawler";
  private static final String PASSWORD = "token-secret";
  private static final String REPOSITORY = "private/app";

  @Test
  void bearerTokensAreFetchedPerScopeForAnonymousClients() {
    try (RegistryTokenService tokens = RegistryTokenService.start(USER, PASSWORD);
        RegistryProcess registry = tokens.configure(RegistryProcess.builder()).start()) {
      RegistryPusher direct =
          new RegistryPusher(
              registry.baseUrl(), "Bearer " + tokens.mint(REPOSITORY, "pull", "push"));
      PushedImage image =
          direct.pushImage(REPOSITORY, "latest", ImageSpec.oci().withSeed("front-token"));
      try (FlagstateInstance flagstate = start(registry, USER, PASSWORD)) {
        assertPullsThrough(flagstate, direct, image);
        assertThat(tokens.grantedScopes()).contains("repository:" + REPOSITORY + ":pull");
      }
      try (FlagstateInstance flagstate = start(registry, USER, "wrong")) {
        assertDenied(
            flagstate.get(
                "/v2/" + REPOSITORY + "/manifests/latest", "Accept", MediaTypes.MANIFEST_ACCEPT));
      }
    }
  }

  @Test
  void basicCredentialsAreAdded() {
    try (RegistryProcess registry = RegistryProcess.builder().basicAuth(USER).start()) {
      RegistryProcess.Credentials credentials = registry.credentials().orElseThrow();
      RegistryPusher direct =
          new RegistryPusher(registry.baseUrl(), credentials.authorizationHeader());
      PushedImage image =
          direct.pushImage(REPOSITORY, "latest", ImageSpec.oci().withSeed("front-basic"));
      try (FlagstateInstance flagstate = start(registry, USER, credentials.password())) {
        assertPullsThrough(flagstate, direct, image);
      }
      try (FlagstateInstance flagstate = start(registry, "", "")) {
        assertDenied(flagstate.get("/v2/" + REPOSITORY + "/blobs/" + image.configDigest()));
      }
    }
  }

  @Test
  void
      byDefaultAnAnonymousClientGetsTheRegistrysBasicChallengeAndAClientPullsWithItsOwnCredentials() {
    try (RegistryProcess registry = RegistryProcess.builder().basicAuth(USER).start()) {
      RegistryProcess.Credentials credentials = registry.credentials().orElseThrow();
      RegistryPusher direct =
          new RegistryPusher(registry.baseUrl(), credentials.authorizationHeader());
      PushedImage image =
          direct.pushImage(REPOSITORY, "latest", ImageSpec.oci().withSeed("front-own-basic"));
      try (FlagstateInstance flagstate = start(registry, USER, credentials.password(), false)) {
        flagstate.awaitStatus(
            status -> status.getJsonObject("crawler").getInteger("syncsCompleted", 0) > 0,
            java.time.Duration.ofSeconds(60));
        assertThat(new String(flagstate.get("/index/dynamic").body(), StandardCharsets.UTF_8))
            .as("the account still crawls")
            .contains(REPOSITORY);
        HttpResponse<byte[]> anonymous =
            flagstate.get(
                "/v2/" + REPOSITORY + "/manifests/latest", "Accept", MediaTypes.MANIFEST_ACCEPT);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
            .hasValueSatisfying(challenge -> assertThat(challenge).startsWith("Basic"));
        assertThat(
                flagstate.get("/v2/" + REPOSITORY + "/blobs/" + image.layerDigest()).statusCode())
            .isEqualTo(401);

        RegistryPusher owner =
            new RegistryPusher(flagstate.baseUrl(), credentials.authorizationHeader());
        assertThat(owner.fetchManifest(REPOSITORY, "latest").body())
            .isEqualTo(direct.fetchManifest(REPOSITORY, "latest").body());
        assertThat(RegistryPusher.sha256(owner.fetchBlob(REPOSITORY, image.layerDigest())))
            .isEqualTo(image.layerDigest());
        assertThat(
                flagstate
                    .get(
                        "/v2/" + REPOSITORY + "/manifests/latest",
                        "Authorization",
                        "Basic "
                            + java.util.Base64.getEncoder()
                                .encodeToString((USER + ":wrong").getBytes(StandardCharsets.UTF_8)))
                    .statusCode())
            .isEqualTo(401);
      }
    }
  }

  @Test
  void byDefaultAnAnonymousClientGetsTheRegistrysBearerChallengeAndPullsWithItsOwnToken() {
    try (RegistryTokenService tokens = RegistryTokenService.start(USER, PASSWORD);
        RegistryProcess registry = tokens.configure(RegistryProcess.builder()).start()) {
      RegistryPusher direct =
          new RegistryPusher(
              registry.baseUrl(), "Bearer " + tokens.mint(REPOSITORY, "pull", "push"));
      PushedImage image =
          direct.pushImage(REPOSITORY, "latest", ImageSpec.oci().withSeed("front-own-token"));
      try (FlagstateInstance flagstate = start(registry, USER, PASSWORD, false)) {
        HttpResponse<byte[]> anonymous =
            flagstate.get(
                "/v2/" + REPOSITORY + "/manifests/latest", "Accept", MediaTypes.MANIFEST_ACCEPT);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
            .hasValueSatisfying(
                challenge -> assertThat(challenge).startsWith("Bearer").contains("realm="));

        RegistryPusher client =
            new RegistryPusher(flagstate.baseUrl(), "Bearer " + tokens.mint(REPOSITORY, "pull"));
        assertThat(client.headDigest(REPOSITORY, "latest")).contains(image.digest());
      }
    }
  }

  private static FlagstateInstance start(RegistryProcess registry, String user, String password) {
    return start(registry, user, password, true);
  }

  private static FlagstateInstance start(
      RegistryProcess registry, String user, String password, boolean frontCredentials) {
    return FlagstateInstance.start(
        Map.of(
            "registry.url",
            registry.baseUrl(),
            "database.url",
            TestDatabase.createDatabase(),
            "crawl.interval",
            "1h",
            "registry.username",
            user,
            "registry.password",
            password,
            "registry.front_credentials",
            Boolean.toString(frontCredentials)));
  }

  private static void assertPullsThrough(
      FlagstateInstance flagstate, RegistryPusher direct, PushedImage image) {
    RegistryPusher anonymous = new RegistryPusher(flagstate.baseUrl());
    assertThat(anonymous.fetchManifest(REPOSITORY, "latest").body())
        .isEqualTo(direct.fetchManifest(REPOSITORY, "latest").body());
    assertThat(anonymous.headDigest(REPOSITORY, "latest")).contains(image.digest());
    byte[] layer = anonymous.fetchBlob(REPOSITORY, image.layerDigest());
    assertThat(RegistryPusher.sha256(layer)).isEqualTo(image.layerDigest());
  }

  private static void assertDenied(HttpResponse<byte[]> response) {
    assertThat(response.statusCode()).isEqualTo(403);
    JsonObject body = new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
    assertThat(body.getJsonArray("errors").getJsonObject(0).getString("code")).isEqualTo("DENIED");
  }
}
