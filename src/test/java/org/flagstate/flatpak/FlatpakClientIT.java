package org.flagstate.flatpak;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.flagstate.bus.Addresses;
import org.flagstate.testsupport.Commands;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.FlatpakClient;
import org.flagstate.testsupport.FlatpakFixtures;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real Flatpak client lists, reads appstream from, installs and updates an app through Flagstate's
 * index, with real bundles built offline and pulled from the registry the index names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.MethodName.class)
class FlatpakClientIT {

  RegistryProcess registry;
  FlagstateInstance flagstate;
  FlatpakClient flatpak;
  Path work;
  FlatpakFixtures.Bundle app;
  FlatpakFixtures.Bundle runtime;

  @BeforeAll
  void start() throws IOException {
    work = Files.createTempDirectory("flagstate-flatpak-");
    List<FlatpakFixtures.Bundle> bundles = FlatpakFixtures.build(work.resolve("v1"), "1");
    runtime = bundles.stream().filter(b -> b.kind().equals("runtime")).findFirst().orElseThrow();
    app = bundles.stream().filter(b -> b.kind().equals("app")).findFirst().orElseThrow();
    registry = RegistryProcess.builder().start();
    FlatpakFixtures.push(runtime, registry, "flatpak/platform", "latest");
    FlatpakFixtures.push(app, registry, "flatpak/hello", "latest");
    flagstate = FlagstateInstance.start(Map.of("registry.url", registry.baseUrl(),
        "database.url", TestDatabase.createDatabase(), "crawl.interval", "1h",
        // flatpak honours max-age; with 0 it revalidates (If-None-Match) on every use, as after expiry
        "cache.static_max_age", "0s"));
    flagstate.awaitSyncsAfter(0);
    flatpak = new FlatpakClient();
    flatpak.run("remote-add", "--user", "--no-gpg-verify", "test", "oci+" + flagstate.baseUrl())
        .requireSuccess(List.of("flatpak remote-add"));
  }

  @AfterAll
  void stop() {
    if (flatpak != null) {
      flatpak.close();
    }
    if (flagstate != null) {
      flagstate.close();
    }
    if (registry != null) {
      registry.close();
    }
    Commands.run(List.of("rm", "-rf", work.toString()), Map.of(), java.time.Duration.ofSeconds(30));
  }

  @Test
  void a_remoteLsListsTheAppAndTheRuntimeByManifestDigest() {
    String listing = flatpak.run("remote-ls", "--user", "--columns=ref,commit", "test").requireSuccess(List.of("remote-ls"))
        .output();
    assertThat(listing).contains("app/org.test.Hello/x86_64/master", "runtime/org.test.Platform/x86_64/master");
    assertThat(listing).contains(app.digest().substring("sha256:".length(), "sha256:".length() + 12));
  }

  @Test
  void b_updateAppstreamBuildsAppstreamWithIconsFromTheLabels() throws IOException {
    flatpak.run("update", "--user", "--appstream", "test").requireSuccess(List.of("update --appstream"));
    Path appstream = flatpak.home().resolve(".local/share/flatpak/appstream/test/x86_64");
    String xml;
    try (Stream<Path> files = Files.walk(appstream)) {
      Path file = files.filter(p -> p.getFileName().toString().startsWith("appstream.xml")).findFirst()
          .orElseThrow(() -> new AssertionError("no appstream.xml under " + appstream));
      xml = file.toString().endsWith(".gz")
          ? new String(new GZIPInputStream(Files.newInputStream(file)).readAllBytes())
          : Files.readString(file);
    }
    assertThat(xml).contains("org.test.Hello").contains("Says hello");
    try (Stream<Path> files = Files.walk(appstream)) {
      assertThat(files.filter(p -> p.toString().contains("icons") && p.toString().endsWith(".png")).count())
          .isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void c_installPullsTheAppAndItsRuntimeFromTheRegistryTheIndexNames() {
    flatpak.runWithDbus("install", "--user", "-y", "--noninteractive", "test", "org.test.Hello")
        .requireSuccess(List.of("flatpak install"));
    String installed = flatpak.run("list", "--user", "--columns=application").output();
    assertThat(installed).contains("org.test.Hello").contains("org.test.Platform");
  }

  @Test
  void d_aNewVersionPushedToTheRegistryIsOfferedAsAnUpdate() {
    List<FlatpakFixtures.Bundle> v2 = FlatpakFixtures.build(work.resolve("v2"), "2");
    FlatpakFixtures.Bundle app2 = v2.stream().filter(b -> b.kind().equals("app")).findFirst().orElseThrow();
    assertThat(app2.digest()).isNotEqualTo(app.digest());
    FlatpakFixtures.push(app2, registry, "flatpak/hello", "latest");
    flagstate.vertx().eventBus().request(Addresses.CRAWLER_SYNC, null).await();
    flatpak.runWithDbus("update", "--user", "-y", "--noninteractive", "org.test.Hello")
        .requireSuccess(List.of("flatpak update"));
    String info = flatpak.run("info", "--user", "org.test.Hello").output();
    assertThat(info).contains("Version: 2").contains("Alt-id: " + app2.digest().substring("sha256:".length()));
  }
}
