package org.flagstate.front;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.flagstate.testsupport.Commands;
import org.flagstate.testsupport.FetchedManifest;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.FlatpakClient;
import org.flagstate.testsupport.FlatpakFixtures;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.MediaTypes;
import org.flagstate.testsupport.PushedImage;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The registry front against a real registry: manifests and blobs pass through byte for byte, writes
 * are refused, and the real podman and flatpak pull through Flagstate's address alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryFrontIT {

  private static final Pattern DIRECT_PULL = Pattern.compile("\"(GET|HEAD) /v2/flatpak/");

  RegistryProcess registry;
  RegistryPusher pusher;
  RegistryPusher throughFront;
  FlagstateInstance flagstate;
  PushedImage image;
  Path work;

  @BeforeAll
  void start() throws IOException {
    registry = RegistryProcess.builder().start();
    pusher = RegistryPusher.forRegistry(registry);
    image = pusher.pushImage("front/app", "latest", ImageSpec.oci().withLabel("purpose", "front").withSeed("front"));
    work = Files.createTempDirectory("flagstate-front-");
    for (FlatpakFixtures.Bundle bundle : FlatpakFixtures.build(work.resolve("bundles"), "1")) {
      FlatpakFixtures.push(bundle, registry, bundle.kind().equals("app") ? "flatpak/hello" : "flatpak/platform",
          "latest");
    }
    flagstate = FlagstateInstance.start(Map.of("registry.url", registry.baseUrl(),
        "database.url", TestDatabase.createDatabase(), "registry.public_url", "/", "crawl.interval", "1h",
        "cache.static_max_age", "0s"));
    flagstate.awaitSyncsAfter(0);
    throughFront = new RegistryPusher(flagstate.baseUrl());
  }

  @AfterAll
  void stop() {
    if (flagstate != null) {
      flagstate.close();
    }
    if (registry != null) {
      registry.close();
    }
    Commands.run(List.of("rm", "-rf", work.toString()), Map.of(), Duration.ofSeconds(30));
  }

  @Test
  void manifestsPassThroughByTagAndDigestWithTheirHeaders() {
    for (String reference : List.of("latest", image.digest())) {
      FetchedManifest direct = pusher.fetchManifest("front/app", reference);
      FetchedManifest fronted = throughFront.fetchManifest("front/app", reference);
      assertThat(fronted.body()).isEqualTo(direct.body());
      assertThat(fronted.digest()).isEqualTo(image.digest());
      assertThat(fronted.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }
    assertThat(throughFront.headDigest("front/app", "latest")).contains(image.digest());
    assertThat(throughFront.headDigest("front/app", "missing")).isEmpty();
  }

  @Test
  void aLargeBlobStreamsThroughUnchanged() {
    byte[] large = new byte[24 << 20];
    new SecureRandom().nextBytes(large);
    String digest = pusher.pushBlob("front/app", large);
    byte[] fronted = throughFront.fetchBlob("front/app", digest);
    assertThat(RegistryPusher.sha256(fronted)).isEqualTo(digest);
  }

  @Test
  void writesAreRefusedInDistributionsErrorShape() {
    for (String method : List.of("PUT", "DELETE", "POST", "PATCH")) {
      HttpResponse<byte[]> response = flagstate.request(method, "/v2/front/app/manifests/latest");
      assertThat(response.statusCode()).as(method).isEqualTo(405);
      assertThat(new String(response.body())).contains("\"code\":\"UNSUPPORTED\"");
    }
    assertThat(flagstate.request("POST", "/v2/front/app/blobs/uploads/").statusCode()).isEqualTo(405);
  }

  @Test
  void badNamesAndReferencesAre400s() {
    assertThat(flagstate.get("/v2/Front/App/manifests/latest").statusCode()).isEqualTo(400);
    assertThat(flagstate.get("/v2/front/app/blobs/latest").statusCode()).isEqualTo(400);
    assertThat(flagstate.get("/v2/front/app/manifests/-bad").statusCode()).isEqualTo(400);
    assertThat(flagstate.get("/v2/front/app/manifests/sha256:" + "0".repeat(64)).statusCode()).isEqualTo(404);
  }

  @Test
  void podmanPullsThroughTheFront() throws IOException {
    Path home = Files.createTempDirectory(Path.of("/tmp"), "fpod"); // podman wants a runroot under 50 characters
    List<String> command = new ArrayList<>(List.of("podman", "--root", home.resolve("root").toString(),
        "--runroot", home.resolve("runroot").toString(), "--storage-driver", "vfs", "pull", "--tls-verify=false",
        flagstate.baseUrl().substring("http://".length()) + "/front/app:latest"));
    String output = Commands.runOrFail(command, Map.of("HOME", home.toString(),
        "XDG_RUNTIME_DIR", home.resolve("run").toString()), Duration.ofMinutes(2)).output();
    assertThat(output).contains(image.configDigest().substring("sha256:".length()));
    Commands.run(List.of("rm", "-rf", home.toString()), Map.of(), Duration.ofSeconds(30));
  }

  @Test
  void flatpakInstallsWithRegistrySlashPullingEverythingFromFlagstate() throws IOException {
    String index = new String(flagstate.get("/index/static").body());
    assertThat(index).startsWith("{\"Registry\":\"/\"");
    long directBefore = directPulls();
    try (FlatpakClient flatpak = new FlatpakClient()) {
      flatpak.run("remote-add", "--user", "--no-gpg-verify", "front", "oci+" + flagstate.baseUrl())
          .requireSuccess(List.of("remote-add"));
      flatpak.runWithDbus("install", "--user", "-y", "--noninteractive", "front", "org.test.Hello")
          .requireSuccess(List.of("flatpak install"));
      assertThat(flatpak.run("list", "--user", "--columns=application").output()).contains("org.test.Hello");
    }
    // the registry saw the pulls, but from Flagstate's client, never from flatpak's (User-Agent "Flatpak ...")
    assertThat(Files.readAllLines(registry.logFile()).stream()
        .filter(line -> DIRECT_PULL.matcher(line).find() && line.contains("Flatpak"))).isEmpty();
    assertThat(directPulls()).isGreaterThan(directBefore);
  }

  private long directPulls() throws IOException {
    return Files.readAllLines(registry.logFile()).stream().filter(line -> DIRECT_PULL.matcher(line).find()).count();
  }
}
