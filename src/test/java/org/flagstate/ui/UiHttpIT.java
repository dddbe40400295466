package org.flagstate.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flagstate.bus.Addresses;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The UI's pages over plain HTTP, under a path prefix: caching (ETag, 304, invalidation with the
 * index), the Content-Security-Policy and no inline script or style, hashed assets kept for a year,
 * icons, the weight of a first load, validation pages, and {@code ui.enabled: false}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiHttpIT {

  static final String PREFIX = "/flagstate";

  RegistryProcess registry;
  FlagstateInstance flagstate;

  @BeforeAll
  void start() {
    registry = RegistryProcess.builder().start();
    UiSamples.push(RegistryPusher.forRegistry(registry));
    flagstate =
        FlagstateInstance.start(
            Map.of(
                "registry.url",
                registry.baseUrl(),
                "database.url",
                TestDatabase.createDatabase(),
                "crawl.interval",
                "1h",
                "http.path_prefix",
                PREFIX,
                "ui.flatpak_remote",
                "example"));
    flagstate.awaitSyncsAfter(0);
  }

  @AfterAll
  void stop() {
    if (flagstate != null) {
      flagstate.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  HttpResponse<byte[]> get(String path, String... headers) {
    return flagstate.get(PREFIX + path, headers);
  }

  static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  @Test
  void pagesAreHtmlWithAStrictPolicyAndNoInlineScriptOrStyle() {
    for (String path :
        List.of(
            "/",
            "/search?q=hello",
            "/repositories/" + UiSamples.HTTPD,
            "/apps",
            "/cockpit",
            "/updates")) {
      HttpResponse<byte[]> page = get(path);
      assertThat(page.statusCode()).as(path).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type"))
          .as(path)
          .hasValue("text/html; charset=utf-8");
      assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
          .as(path)
          .startsWith("default-src 'self';")
          .doesNotContain("unsafe-inline")
          .doesNotContain("unsafe-eval");
      assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
      String html = text(page);
      assertThat(html)
          .as(path)
          .doesNotContainPattern("<script(?![^>]*\\ssrc=)")
          .doesNotContain("<style")
          .doesNotContainPattern("\\sstyle=")
          .doesNotContainPattern("\\son[a-z]+=")
          .doesNotContainPattern("<(?:script|link|img)[^>]*(?:src|href)=\"(?:https?:)?//")
          .satisfiesAnyOf(
              h -> assertThat(h).contains("href=\"" + PREFIX + "/api/v1/"),
              h -> assertThat(h).contains("href=\"" + PREFIX + "/index/static"));
    }
  }

  @Test
  void pagesCarryETagsAndAnswer304() {
    HttpResponse<byte[]> first = get("/repositories/" + UiSamples.HTTPD, "Accept-Encoding", "gzip");
    String etag = first.headers().firstValue("ETag").orElseThrow();
    assertThat(first.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-cache");
    HttpResponse<byte[]> again =
        get("/repositories/" + UiSamples.HTTPD, "Accept-Encoding", "gzip", "If-None-Match", etag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.headers().firstValue("Content-Security-Policy")).isPresent();
  }

  @Test
  void theStartPageChangesWithTheIndex() throws Exception {
    String before = get("/").headers().firstValue("ETag").orElseThrow();
    assertThat(text(get("/"))).doesNotContain("late/arrival");
    RegistryPusher.forRegistry(registry)
        .pushImage(
            "late/arrival",
            "latest",
            ImageSpec.oci()
                .withSeed("late")
                .withLabel("org.opencontainers.image.title", "Late arrival"));
    flagstate
        .vertx()
        .eventBus()
        .request(Addresses.CRAWLER_SYNC, null, new DeliveryOptions().setSendTimeout(60_000))
        .await(60, TimeUnit.SECONDS);
    HttpResponse<byte[]> after = get("/");
    assertThat(after.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(before);
    assertThat(text(after)).contains("late/arrival").contains("Late arrival");
  }

  @Test
  void assetsHaveHashedNamesAndAreKeptForAYear() {
    String html = text(get("/"));
    List<String> assets = new ArrayList<>();
    Matcher matcher =
        Pattern.compile(
                "(?:href|src)=\"("
                    + PREFIX
                    + "/ui/assets/[a-z]+\\.[0-9a-f]{12}\\.(?:css|js|svg))\"")
            .matcher(html);
    while (matcher.find()) {
      assets.add(matcher.group(1));
    }
    assertThat(assets).anyMatch(a -> a.endsWith(".css")).anyMatch(a -> a.endsWith(".js"));
    long firstLoad = get("/", "Accept-Encoding", "gzip").body().length;
    for (String asset : assets.stream().distinct().toList()) {
      HttpResponse<byte[]> response = flagstate.get(asset, "Accept-Encoding", "gzip");
      assertThat(response.statusCode()).as(asset).isEqualTo(200);
      assertThat(response.headers().firstValue("Cache-Control"))
          .hasValue("public, max-age=31536000, immutable");
      firstLoad += response.body().length;
    }
    assertThat(firstLoad)
        .as("bytes of a first load of the start page, gzip")
        .isLessThan(200 * 1024);
    assertThat(get("/ui/assets/app.000000000000.css").statusCode()).isEqualTo(404);
  }

  @Test
  void iconsAreServedFromTheStoredDataUri() {
    String html = text(get("/apps"));
    Matcher matcher =
        Pattern.compile("src=\"(" + PREFIX + "/ui/icon/" + UiSamples.PAINT + "\\?v=[0-9a-f]{16})\"")
            .matcher(html);
    assertThat(matcher.find()).isTrue();
    HttpResponse<byte[]> icon = flagstate.get(matcher.group(1));
    assertThat(icon.statusCode()).isEqualTo(200);
    assertThat(icon.headers().firstValue("Content-Type")).hasValue("image/png");
    assertThat(icon.headers().firstValue("Cache-Control"))
        .hasValue("public, max-age=31536000, immutable");
    assertThat(icon.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("sandbox");
    assertThat(new String(icon.body(), 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    assertThat(
            get("/ui/icon/" + UiSamples.PAINT + "?v=0000000000000000")
                .headers()
                .firstValue("Cache-Control"))
        .hasValue("no-cache");
    assertThat(get("/ui/icon/" + UiSamples.HTTPD).statusCode()).isEqualTo(404);
    assertThat(get("/ui/icon/" + UiSamples.PAINT + "?v=x").statusCode()).isEqualTo(400);
  }

  @Test
  void commandsNameTheRegistryAndThisHostAsTheFlatpakRemote() {
    String html = text(get("/repositories/" + UiSamples.PAINT));
    String host = flagstate.baseUrl().substring("http://".length());
    assertThat(html)
        .contains("podman pull " + registry.hostPort() + "/" + UiSamples.PAINT + ":latest")
        .contains("flatpak remote-add --if-not-exists example oci+http://" + host + PREFIX)
        .contains("flatpak install example org.example.Paint");
  }

  @Test
  void badParametersGetAPageSayingWhatIsWrong() {
    for (String path :
        List.of(
            "/search?limit=0",
            "/search?kind=app",
            "/search?cursor=x",
            "/?page=2",
            "/apps?x=1",
            "/search?q=%00",
            "/repositories/UPPER/case",
            "/repositories/a?b=c")) {
      HttpResponse<byte[]> page = get(path);
      assertThat(page.statusCode()).as(path).isEqualTo(400);
      assertThat(page.headers().firstValue("Content-Type").orElse(""))
          .as(path)
          .startsWith("text/html");
      assertThat(text(page)).as(path).contains("This address is not valid");
    }
    FlagstateInstance.RawResponse broken = flagstate.rawGet(PREFIX + "/search?q=%ZZ");
    assertThat(broken.status()).isEqualTo(400);
    assertThat(broken.body()).contains("malformed %-escape");
    HttpResponse<byte[]> missing = get("/repositories/no/such");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(text(missing)).contains("No such repository").contains("no/such");
  }

  @Test
  void theJsonApiFiltersAndCountsByKindAndNamespace() {
    JsonObject apps = new JsonObject(text(get("/api/v1/search?kind=flatpak-app")));
    assertThat(
            apps.getJsonArray("repositories").stream().map(r -> ((JsonObject) r).getString("name")))
        .containsExactly(UiSamples.NOTES, UiSamples.PAINT, UiSamples.WEATHER);
    assertThat(apps.getJsonObject("query").getJsonArray("kind").getList())
        .containsExactly("flatpak-app");
    JsonObject all = new JsonObject(text(get("/api/v1/search")));
    assertThat(all.getJsonObject("facets").getJsonObject("kind").getMap())
        .containsEntry("flatpak-app", 3)
        .containsEntry("flatpak-runtime", 1)
        .containsEntry("cockpit-plugin", 2);
    assertThat(all.getJsonObject("facets").getJsonObject("namespace").getMap())
        .containsEntry("flatpak", 4)
        .containsEntry("cockpit", 2)
        .containsEntry("tools", 2);
    JsonObject tools =
        new JsonObject(text(get("/api/v1/search?namespace=tools&kind=container-image")));
    assertThat(tools.getLong("total")).isEqualTo(2);
    assertThat(get("/api/v1/search?kind=plugin").statusCode()).isEqualTo(400);
  }

  @Test
  void thePrefixWithoutSlashRedirects() {
    HttpResponse<byte[]> bare = flagstate.get(PREFIX);
    assertThat(bare.statusCode()).isEqualTo(308);
    assertThat(bare.headers().firstValue("Location")).hasValue(PREFIX + "/");
  }

  @Test
  void theStartPageTellsWhatTheFirstCrawlIsDoingAndWhenTheIndexIsEmpty() {
    int deadPort = FlagstateInstance.freePort();
    try (FlagstateInstance waiting =
        FlagstateInstance.start(
            Map.of(
                "registry.url",
                "http://127.0.0.1:" + deadPort,
                "database.url",
                TestDatabase.createDatabase(),
                "crawl.interval",
                "1h"))) {
      waiting.awaitStatus(
          status -> status.getJsonObject("crawler").containsKey("lastError"),
          java.time.Duration.ofSeconds(60));
      HttpResponse<byte[]> home = waiting.get("/");
      assertThat(home.statusCode()).isEqualTo(200);
      assertThat(home.headers().firstValue("Cache-Control")).hasValue("no-store");
      assertThat(text(home))
          .contains("Waiting for the registry")
          .contains("id=\"crawl-progress\"")
          .contains("data-status=\"/status\"")
          .contains("<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>");
    }
    try (RegistryProcess empty = RegistryProcess.builder().start();
        FlagstateInstance idle =
            FlagstateInstance.start(
                Map.of(
                    "registry.url",
                    empty.baseUrl(),
                    "database.url",
                    TestDatabase.createDatabase(),
                    "crawl.interval",
                    "1h"))) {
      idle.awaitSyncsAfter(0);
      HttpResponse<byte[]> home = idle.get("/");
      assertThat(home.headers().firstValue("Cache-Control")).hasValue("no-cache");
      assertThat(text(home)).contains("The index is empty").doesNotContain("crawl-progress");
    }
  }

  @Test
  void uiEnabledFalseServesNoPages() {
    try (FlagstateInstance off =
        FlagstateInstance.start(
            Map.of(
                "registry.url",
                registry.baseUrl(),
                "database.url",
                TestDatabase.createDatabase(),
                "crawl.interval",
                "1h",
                "ui.enabled",
                "false"))) {
      for (String path :
          List.of("/", "/search?q=hello", "/apps", "/repositories/" + UiSamples.HTTPD)) {
        HttpResponse<byte[]> response = off.get(path);
        assertThat(response.statusCode()).as(path).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
      }
      assertThat(off.get("/api/v1/repositories").statusCode()).isEqualTo(200);
    }
  }
}
