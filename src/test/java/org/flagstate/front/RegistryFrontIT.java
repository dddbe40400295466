package org.flagstate.front;

import static org.assertj.core.api.Assertions.assertThat;
import static org.flagstate.testsupport.FlagstateInstance.send;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.flagstate.testsupport.Commands;
import org.flagstate.testsupport.FlagstateEnvironment;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.FlatpakClient;
import org.flagstate.testsupport.FlatpakFixtures;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.IndexFormat;
import org.flagstate.testsupport.MediaTypes;
import org.flagstate.testsupport.PushedImage;
import org.flagstate.testsupport.PushedIndex;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The registry front against a real docker-registry: manifests (by tag and digest, OCI and Docker,
 * images and lists) and blobs (a multi-megabyte one and a byte range) pass through with the
 * registry's bytes and headers, writes and malformed names get distribution's error JSON, and the
 * real podman and flatpak clients pull through Flagstate's address alone ({@code
 * registry.public_url: /}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryFrontIT {

  /** A pull of the fixture repositories as the registry logs it (its access log line). */
  private static final Pattern PULL = Pattern.compile("\"(GET|HEAD) /v2/(flatpak|front)/");

  private static final List<String> PASSED_HEADERS =
      List.of(
          "content-type",
          "content-length",
          "docker-content-digest",
          "docker-distribution-api-version",
          "etag");

  @RegisterExtension
  static final FlagstateEnvironment ENVIRONMENT =
      FlagstateEnvironment.builder()
          .seed(RegistryFrontIT::push)
          .setting("registry.public_url", "/")
          .setting("cache.static_max_age", "0s")
          .build();

  RegistryProcess registry;
  RegistryPusher pusher;
  FlagstateInstance flagstate;
  PushedImage image;
  PushedImage dockerImage;
  PushedIndex list;
  Path work;

  void push(FlagstateEnvironment environment) throws IOException {
    registry = environment.registry();
    pusher = environment.pusher();
    image =
        pusher.pushImage(
            "front/app", "latest", ImageSpec.oci().withLabel("purpose", "front").withSeed("front"));
    dockerImage =
        pusher.pushImage(
            "front/docker", "v2s2", ImageSpec.dockerSchema2().withSeed("front-docker"));
    list =
        pusher.pushMultiArch(
            "front/multi",
            "all",
            IndexFormat.DOCKER_MANIFEST_LIST,
            List.of(
                ImageSpec.dockerSchema2().withSeed("m1"),
                ImageSpec.dockerSchema2().withArchitecture("arm64").withSeed("m2")));
    work = Files.createTempDirectory("flagstate-front-");
    for (FlatpakFixtures.Bundle bundle : FlatpakFixtures.build(work.resolve("bundles"), "1")) {
      FlatpakFixtures.push(
          bundle,
          registry,
          bundle.kind().equals("app") ? "flatpak/hello" : "flatpak/platform",
          "latest");
    }
  }

  @BeforeAll
  void start(FlagstateInstance flagstate) {
    this.flagstate = flagstate;
  }

  @AfterAll
  void stop() {
    if (work != null) {
      Commands.run(List.of("rm", "-rf", work.toString()), Map.of(), Duration.ofSeconds(30));
    }
  }

  @Test
  void manifestsPassThroughByTagAndDigestWithTheRegistrysBytesAndHeaders() {
    List<String> paths =
        List.of(
            "/v2/front/app/manifests/latest",
            "/v2/front/app/manifests/" + image.digest(),
            "/v2/front/docker/manifests/v2s2",
            "/v2/front/multi/manifests/all",
            "/v2/front/multi/manifests/" + list.digest(),
            "/v2/front/multi/manifests/" + list.members().get(1).digest());
    for (String path : paths) {
      for (String method : List.of("GET", "HEAD")) {
        HttpResponse<byte[]> direct =
            send(registry.baseUrl(), method, path, "Accept", MediaTypes.MANIFEST_ACCEPT);
        HttpResponse<byte[]> fronted =
            send(flagstate.baseUrl(), method, path, "Accept", MediaTypes.MANIFEST_ACCEPT);
        assertSamePassage(method + " " + path, direct, fronted);
      }
    }
    HttpResponse<byte[]> byTag =
        send(flagstate.baseUrl(), "GET", paths.get(0), "Accept", MediaTypes.MANIFEST_ACCEPT);
    assertThat(byTag.headers().firstValue("Docker-Content-Digest")).contains(image.digest());
    assertThat(byTag.headers().firstValue("Content-Type")).contains(MediaTypes.OCI_MANIFEST);
    assertThat(RegistryPusher.sha256(byTag.body())).isEqualTo(image.digest());
    HttpResponse<byte[]> listed =
        send(flagstate.baseUrl(), "GET", paths.get(3), "Accept", MediaTypes.MANIFEST_ACCEPT);
    assertThat(listed.headers().firstValue("Content-Type"))
        .contains(MediaTypes.DOCKER_MANIFEST_LIST);
    assertThat(listed.headers().firstValue("Docker-Content-Digest")).contains(list.digest());
  }

  @Test
  void unknownManifestsAndBlobsAreTheRegistrys404s() {
    for (String path :
        List.of(
            "/v2/front/app/manifests/missing",
            "/v2/front/app/manifests/sha256:" + "0".repeat(64),
            "/v2/front/app/blobs/sha256:" + "0".repeat(64),
            "/v2/no/such/repo/manifests/latest")) {
      HttpResponse<byte[]> direct =
          send(registry.baseUrl(), "GET", path, "Accept", MediaTypes.MANIFEST_ACCEPT);
      HttpResponse<byte[]> fronted =
          send(flagstate.baseUrl(), "GET", path, "Accept", MediaTypes.MANIFEST_ACCEPT);
      assertThat(fronted.statusCode()).as(path).isEqualTo(direct.statusCode()).isEqualTo(404);
      assertThat(fronted.body()).as(path).isEqualTo(direct.body());
    }
  }

  @Test
  void blobsStreamWithTheirExactBytesAndHeaders() {
    for (String digest : List.of(image.configDigest(), image.layerDigest())) {
      String path = "/v2/front/app/blobs/" + digest;
      for (String method : List.of("GET", "HEAD")) {
        assertSamePassage(
            method + " " + path,
            send(registry.baseUrl(), method, path),
            send(flagstate.baseUrl(), method, path));
      }
    }
  }

  @Test
  void aMultiMegabyteBlobStreamsThroughUnchanged() {
    byte[] large = new byte[24 << 20];
    new SecureRandom().nextBytes(large);
    String digest = pusher.pushBlob("front/app", large);
    HttpResponse<byte[]> fronted =
        send(flagstate.baseUrl(), "GET", "/v2/front/app/blobs/" + digest);
    assertThat(fronted.statusCode()).isEqualTo(200);
    assertThat(fronted.headers().firstValue("Content-Length"))
        .contains(Integer.toString(large.length));
    assertThat(fronted.headers().firstValue("Docker-Content-Digest")).contains(digest);
    assertThat(RegistryPusher.sha256(fronted.body())).isEqualTo(digest);

    HttpResponse<byte[]> range =
        send(
            flagstate.baseUrl(),
            "GET",
            "/v2/front/app/blobs/" + digest,
            "Range",
            "bytes=1000000-1000999");
    assertThat(range.statusCode()).isEqualTo(206);
    assertThat(range.headers().firstValue("Content-Range"))
        .contains("bytes 1000000-1000999/" + large.length);
    assertThat(range.body()).isEqualTo(Arrays.copyOfRange(large, 1_000_000, 1_001_000));
  }

  @Test
  void writesAreRefusedWith405InDistributionsErrorShape() {
    List<String> paths =
        List.of(
            "/v2/front/app/manifests/latest",
            "/v2/front/app/blobs/uploads/",
            "/v2/front/app/blobs/uploads/0d6e2b1c",
            "/v2/front/app/blobs/" + image.layerDigest(),
            "/v2/front/app/tags/list");
    for (String path : paths) {
      for (String method : List.of("PUT", "DELETE", "POST", "PATCH")) {
        HttpResponse<byte[]> response = flagstate.request(method, path);
        assertThat(response.statusCode()).as(method + " " + path).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).contains("GET, HEAD");
        assertThat(errorCode(response)).as(method + " " + path).isEqualTo("UNSUPPORTED");
      }
    }
    assertThat(pusher.headDigest("front/app", "latest")).contains(image.digest());
  }

  @Test
  void malformedNamesAndReferencesAre400sInDistributionsErrorShape() {
    assertError(flagstate.get("/v2/Front/App/manifests/latest"), 400, "NAME_INVALID");
    assertError(flagstate.get("/v2/front/app-/manifests/latest"), 400, "NAME_INVALID");
    assertError(flagstate.get("/v2/" + "a".repeat(256) + "/manifests/latest"), 400, "NAME_INVALID");
    assertError(flagstate.get("/v2/front/app/blobs/latest"), 400, "DIGEST_INVALID");
    assertError(flagstate.get("/v2/front/app/blobs/sha256:abc"), 400, "DIGEST_INVALID");
    assertError(flagstate.get("/v2/front/app/manifests/-bad"), 400, "TAG_INVALID");
    assertError(flagstate.get("/v2/front/app/manifests/" + "t".repeat(129)), 400, "TAG_INVALID");
    // an encoded slash or dot-segment must not reach the registry as a path
    FlagstateInstance.RawResponse traversal =
        flagstate.rawGet("/v2/front%2F..%2F..%2Fx/manifests/latest");
    assertThat(traversal.status()).isEqualTo(400);
    assertThat(
            new JsonObject(traversal.body())
                .getJsonArray("errors")
                .getJsonObject(0)
                .getString("code"))
        .isEqualTo("NAME_INVALID");
    FlagstateInstance.RawResponse badEscape = flagstate.rawGet("/v2/front/app/manifests/%zz");
    assertThat(badEscape.status()).isEqualTo(400);
    assertThat(new JsonObject(badEscape.body()).getJsonObject("error").getString("code"))
        .isEqualTo("BAD_REQUEST");
  }

  @Test
  void theSearchHostsRoutesAreNotShadowed() {
    HttpResponse<byte[]> ping = flagstate.get("/v2/");
    assertThat(ping.statusCode()).isEqualTo(200);
    HttpResponse<byte[]> tags = flagstate.get("/v2/front/app/tags/list");
    assertThat(tags.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(new String(tags.body(), StandardCharsets.UTF_8)).getString("name"))
        .isEqualTo("front/app");
    assertThat(flagstate.get("/v2/_catalog").statusCode()).isEqualTo(200);
  }

  @Test
  void podmanPullsThroughTheFront() throws IOException {
    // a short path: podman wants its runroot (sockets, locks) under about 100 characters
    Path home = Files.createTempDirectory(Path.of("/tmp"), "fpod");
    try {
      String reference = flagstate.baseUrl().substring("http://".length()) + "/front/app:latest";
      Commands.Result pull =
          Commands.runOrFail(
              podman(home, "pull", "--tls-verify=false", reference),
              podmanEnvironment(home),
              Duration.ofMinutes(2));
      String imageId = image.configDigest().substring("sha256:".length());
      assertThat(pull.output()).contains(imageId);
      String inspected =
          Commands.runOrFail(
                  podman(home, "image", "inspect", "--format", "{{.Digest}}", imageId),
                  podmanEnvironment(home),
                  Duration.ofMinutes(1))
              .output();
      assertThat(inspected.trim()).isEqualTo(image.digest());
      // podman (User-Agent containers/…) never reached the registry itself
      assertThat(
              registryLog().stream()
                  .filter(line -> PULL.matcher(line).find() && line.contains("containers/")))
          .isEmpty();
    } finally {
      Commands.run(List.of("rm", "-rf", home.toString()), Map.of(), Duration.ofSeconds(30));
    }
  }

  @Test
  void flatpakInstallsWithRegistrySlashPullingEverythingFromFlagstate() {
    String index =
        new String(
            flagstate.get("/index/static?label%3Aorg.flatpak.ref%3Aexists=1").body(),
            StandardCharsets.UTF_8);
    assertThat(index).startsWith("{\"Registry\":\"/\"").contains("flatpak/hello");
    long pullsBefore = registryPulls("Flagstate-front");
    try (FlatpakClient flatpak = new FlatpakClient()) {
      flatpak
          .run("remote-add", "--user", "--no-gpg-verify", "front", "oci+" + flagstate.baseUrl())
          .requireSuccess(List.of("remote-add"));
      flatpak
          .runWithDbus("install", "--user", "-y", "--noninteractive", "front", "org.test.Hello")
          .requireSuccess(List.of("flatpak install"));
      assertThat(flatpak.run("list", "--user", "--columns=application").output())
          .contains("org.test.Hello")
          .contains("org.test.Platform");
    }
    // the registry saw the pulls, but only from Flagstate's front, never from flatpak (User-Agent
    // "Flatpak/…")
    assertThat(
            registryLog().stream()
                .filter(line -> PULL.matcher(line).find() && line.contains("Flatpak")))
        .isEmpty();
    assertThat(registryPulls("Flagstate-front")).isGreaterThan(pullsBefore);
  }

  private static List<String> podman(Path home, String... arguments) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "podman",
                "--root",
                home.resolve("root").toString(),
                "--runroot",
                home.resolve("run").toString(),
                "--storage-driver",
                "vfs",
                "--tmpdir",
                home.resolve("tmp").toString(),
                "--cgroup-manager",
                "cgroupfs",
                "--events-backend",
                "none"));
    command.addAll(List.of(arguments));
    return command;
  }

  /** Keeps podman away from the machine's own configuration, storage and credentials. */
  private static Map<String, String> podmanEnvironment(Path home) throws IOException {
    Path registries = home.resolve("registries.conf");
    Files.writeString(registries, "unqualified-search-registries = []\n");
    Path storage = home.resolve("storage.conf");
    Files.writeString(
        storage,
        "[storage]\ndriver = \"vfs\"\nrunroot = \""
            + home.resolve("run")
            + "\"\ngraphroot = \""
            + home.resolve("root")
            + "\"\n");
    Files.createDirectories(home.resolve("tmp"));
    Files.writeString(home.resolve("auth.json"), "{}\n");
    return Map.of(
        "HOME",
        home.toString(),
        "XDG_RUNTIME_DIR",
        home.resolve("xdg").toString(),
        "XDG_CONFIG_HOME",
        home.resolve("config").toString(),
        "XDG_DATA_HOME",
        home.resolve("data").toString(),
        "CONTAINERS_REGISTRIES_CONF",
        registries.toString(),
        "CONTAINERS_STORAGE_CONF",
        storage.toString(),
        "REGISTRY_AUTH_FILE",
        home.resolve("auth.json").toString(),
        "TMPDIR",
        home.resolve("tmp").toString());
  }

  private long registryPulls(String userAgent) {
    return registryLog().stream()
        .filter(line -> PULL.matcher(line).find() && line.contains(userAgent))
        .count();
  }

  private List<String> registryLog() {
    try {
      return Files.readAllLines(registry.logFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertSamePassage(
      String what, HttpResponse<byte[]> direct, HttpResponse<byte[]> fronted) {
    assertThat(fronted.statusCode()).as(what).isEqualTo(direct.statusCode()).isEqualTo(200);
    assertThat(fronted.body()).as(what).isEqualTo(direct.body());
    for (String header : PASSED_HEADERS) {
      assertThat(fronted.headers().allValues(header))
          .as(what + ": " + header)
          .isEqualTo(direct.headers().allValues(header));
    }
  }

  private static void assertError(HttpResponse<byte[]> response, int status, String code) {
    assertThat(response.statusCode()).as(response.uri().toString()).isEqualTo(status);
    assertThat(errorCode(response)).as(response.uri().toString()).isEqualTo(code);
  }

  private static String errorCode(HttpResponse<byte[]> response) {
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    JsonObject body = new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
    return body.getJsonArray("errors").getJsonObject(0).getString("code");
  }
}
