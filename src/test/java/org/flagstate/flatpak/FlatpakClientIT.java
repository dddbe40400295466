package org.flagstate.flatpak;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.flagstate.bus.Addresses;
import org.flagstate.testsupport.Commands;
import org.flagstate.testsupport.FlagstateEnvironment;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.FlatpakClient;
import org.flagstate.testsupport.FlatpakFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real Flatpak client lists, reads appstream from, installs and updates an app through
 * Flagstate's index, with real bundles built offline and pulled from the registry the index names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlatpakClientIT {

  /** What flatpak asks an oci+ remote for. */
  private static final String FLATPAK_QUERY =
      "/index/static?label%3Aorg.flatpak.ref%3Aexists=1&architecture=amd64&os=linux&tag=latest";

  @RegisterExtension static final FlagstateEnvironment ENVIRONMENT = environment().build();

  FlagstateInstance flagstate;
  FlatpakClient flatpak;
  Path work;
  FlatpakFixtures.Bundle app;
  FlatpakFixtures.Bundle runtime;

  static FlagstateEnvironment.Builder environment() {
    return FlagstateEnvironment.builder()
        .seed(FlatpakClientIT::push)
        // flatpak honours max-age; with 0 it revalidates (If-None-Match) on every use, as after
        // expiry
        .setting("cache.static_max_age", "0s");
  }

  /**
   * Builds version 1 of the bundles once per class and pushes them to the environment's registry.
   */
  void push(FlagstateEnvironment environment) throws IOException {
    if (work == null) {
      work = Files.createTempDirectory("flagstate-flatpak-");
      List<FlatpakFixtures.Bundle> bundles = FlatpakFixtures.build(work.resolve("v1"), "1");
      runtime = bundles.stream().filter(b -> b.kind().equals("runtime")).findFirst().orElseThrow();
      app = bundles.stream().filter(b -> b.kind().equals("app")).findFirst().orElseThrow();
    }
    FlatpakFixtures.push(runtime, environment.registry(), "flatpak/platform", "latest");
    FlatpakFixtures.push(app, environment.registry(), "flatpak/hello", "latest");
  }

  @BeforeAll
  void start(FlagstateInstance flagstate) {
    this.flagstate = flagstate;
    flatpak = remoteAdded(flagstate);
  }

  /** A flatpak client of its own with the remote "test" pointing at {@code flagstate}. */
  static FlatpakClient remoteAdded(FlagstateInstance flagstate) {
    FlatpakClient client = new FlatpakClient();
    client
        .run("remote-add", "--user", "--no-gpg-verify", "test", "oci+" + flagstate.baseUrl())
        .requireSuccess(List.of("flatpak remote-add"));
    return client;
  }

  @AfterAll
  void stop() {
    if (flatpak != null) {
      flatpak.close();
    }
    if (work != null) {
      Commands.run(List.of("rm", "-rf", work.toString()), Map.of(), Duration.ofSeconds(30));
    }
  }

  @Test
  void remoteLsListsTheAppAndTheRuntimeByManifestDigest() {
    String listing =
        flatpak
            .run("remote-ls", "--user", "--columns=ref,commit", "test")
            .requireSuccess(List.of("remote-ls"))
            .output();
    assertThat(listing)
        .contains("app/org.test.Hello/x86_64/master", "runtime/org.test.Platform/x86_64/master");
    assertThat(listing)
        .contains(app.digest().substring("sha256:".length(), "sha256:".length() + 12));
  }

  @Test
  void updateAppstreamBuildsAppstreamWithIconsFromTheLabels() throws IOException {
    flatpak
        .run("update", "--user", "--appstream", "test")
        .requireSuccess(List.of("update --appstream"));
    Path appstream = flatpak.home().resolve(".local/share/flatpak/appstream/test/x86_64");
    String xml;
    try (Stream<Path> files = Files.walk(appstream)) {
      Path file =
          files
              .filter(p -> p.getFileName().toString().startsWith("appstream.xml"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no appstream.xml under " + appstream));
      xml =
          file.toString().endsWith(".gz")
              ? new String(new GZIPInputStream(Files.newInputStream(file)).readAllBytes())
              : Files.readString(file);
    }
    assertThat(xml).contains("org.test.Hello").contains("Says hello");
    try (Stream<Path> files = Files.walk(appstream)) {
      assertThat(
              files
                  .filter(p -> p.toString().contains("icons") && p.toString().endsWith(".png"))
                  .count())
          .isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void installPullsTheAppAndItsRuntimeFromTheRegistryTheIndexNames() {
    flatpak
        .runWithDbus("install", "--user", "-y", "--noninteractive", "test", "org.test.Hello")
        .requireSuccess(List.of("flatpak install"));
    String installed = flatpak.run("list", "--user", "--columns=application").output();
    assertThat(installed).contains("org.test.Hello").contains("org.test.Platform");
  }

  @Test
  void aNewVersionPushedToTheRegistryIsOfferedAsAnUpdate() {
    // its own registry, Flagstate and client: version 2 would change what the other tests list and
    // install
    try (FlagstateEnvironment own = environment().build().start(this);
        FlatpakClient client = remoteAdded(own.flagstate())) {
      client
          .runWithDbus("install", "--user", "-y", "--noninteractive", "test", "org.test.Hello")
          .requireSuccess(List.of("flatpak install"));
      List<FlatpakFixtures.Bundle> v2 = FlatpakFixtures.build(work.resolve("v2"), "2");
      FlatpakFixtures.Bundle app2 =
          v2.stream().filter(b -> b.kind().equals("app")).findFirst().orElseThrow();
      assertThat(app2.digest()).isNotEqualTo(app.digest());
      // flatpak is answered from the response cache, which hears of the sync's change by PostgreSQL
      // NOTIFY a moment
      // after the sync replied; an answer to the same query, cached before the push, shows when it
      // has
      own.flagstate().get(FLATPAK_QUERY);
      FlatpakFixtures.push(app2, own.registry(), "flatpak/hello", "latest");
      own.flagstate().vertx().eventBus().request(Addresses.CRAWLER_SYNC, null).await();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!new String(own.flagstate().get(FLATPAK_QUERY).body()).contains(app2.digest())
          && System.nanoTime() < deadline) {
        FlagstateInstance.sleep(20);
      }
      client
          .runWithDbus("update", "--user", "-y", "--noninteractive", "org.test.Hello")
          .requireSuccess(List.of("flatpak update"));
      String info = client.run("info", "--user", "org.test.Hello").output();
      assertThat(info)
          .contains("Version: 2")
          .contains("Alt-id: " + app2.digest().substring("sha256:".length()));
    }
  }
}
