package org.flagstate.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flagstate.bus.Addresses;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.PushedImage;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The web UI in a real browser (headless Chromium through Selenium) against Flagstate indexing a
 * real registry filled with {@link UiSamples}, a repository whose labels hold markup, and a dozen
 * repositories to page through. The access log ({@code http.access_log}) shows what the browser
 * asked for.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiBrowserIT {

  static final String EVIL = "evil/script";
  static final String EVIL_TITLE = "<script>window.__pwned=1</script>Evil";

  RegistryProcess registry;
  FlagstateInstance flagstate;
  AccessLog accessLog;
  Browser browser;
  PushedImage oldHttpd;
  String base;

  @BeforeAll
  void start() {
    registry = RegistryProcess.builder().start();
    RegistryPusher pusher = RegistryPusher.forRegistry(registry);
    oldHttpd = UiSamples.push(pusher);
    pusher.pushImage(
        EVIL,
        "latest",
        ImageSpec.oci()
            .withSeed("evil")
            .withLabel("org.opencontainers.image.title", EVIL_TITLE)
            .withLabel(
                "org.opencontainers.image.description",
                "<img src=x onerror=\"window.__pwned=2\">described")
            .withLabel("org.opencontainers.image.url", "javascript:window.__pwned=3")
            .withLabel("note", "see https://example.org/\"><script>window.__pwned=4</script>"));
    for (int i = 0; i < 12; i++) {
      pusher.pushImage(
          String.format("bulk/r%02d", i), "latest", ImageSpec.oci().withSeed("bulk" + i));
    }
    accessLog = new AccessLog();
    flagstate =
        FlagstateInstance.start(
            Map.of(
                "registry.url",
                registry.baseUrl(),
                "database.url",
                TestDatabase.createDatabase(),
                "crawl.interval",
                "1h",
                "http.access_log",
                "true",
                "ui.cockpit_label",
                UiSamples.COCKPIT_LABEL));
    flagstate.awaitSyncsAfter(0);
    base = flagstate.baseUrl();
    browser = Browser.start(true);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (flagstate != null) {
      flagstate.close();
    }
    if (accessLog != null) {
      accessLog.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  WebElement waitFor(By by) {
    return browser.waiting().until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  @Test
  void typingAPartialWordShowsTheRepositoryAndEnterOpensIt() {
    browser.driver.get(base + "/");
    WebElement box = browser.driver.findElement(By.id("home-q"));
    int before = accessLog.size();
    box.sendKeys("htt");
    WebElement suggestion =
        waitFor(
            By.cssSelector(
                "#home-q-suggestions li[role=option] a[href$='/repositories/tools/httpd']"));
    assertThat(suggestion.getText()).contains("Apache HTTP Server").contains("tools/httpd");
    // three keystrokes within the debounce: one request, for the whole word so far
    assertThat(browserRequests(before))
        .filteredOn(line -> line.contains("/v1/search"))
        .singleElement()
        .asString()
        .contains("GET /v1/search?n=8&q=htt ");
    browser.screenshot(Path.of("target", "ui-screenshots", "home-suggestions-1440.png"));
    box.sendKeys(Keys.ARROW_DOWN);
    assertThat(
            browser
                .driver
                .findElement(By.cssSelector("#home-q-suggestions li[aria-selected=true]"))
                .getText())
        .contains("tools/httpd");
    box.sendKeys(Keys.ENTER);
    browser.waiting().until(ExpectedConditions.urlToBe(base + "/repositories/tools/httpd"));
    assertThat(waitFor(By.tagName("h1")).getText()).isEqualTo("Apache HTTP Server");
  }

  @Test
  void aRepositoryShowsTitleTagsArchitecturesAndLabels() {
    browser.driver.get(base + "/repositories/" + UiSamples.HELLO);
    assertThat(waitFor(By.tagName("h1")).getText()).isEqualTo("Hello");
    String tags = browser.driver.findElement(By.cssSelector("table.tags")).getText();
    assertThat(tags)
        .contains("latest")
        .contains("4 platforms")
        .contains("linux/amd64")
        .contains("linux/arm64/v8")
        .contains("linux/ppc64le")
        .contains("linux/s390x");
    assertThat(browser.driver.findElements(By.cssSelector("table.tags tr.member"))).hasSize(4);
    WebElement link =
        browser.driver.findElement(
            By.cssSelector("table.labels a[href='https://example.org/hello']"));
    assertThat(link.getText()).isEqualTo("https://example.org/hello");
    WebElement filter = browser.driver.findElement(By.id("label-filter"));
    filter.sendKeys("url");
    browser
        .waiting()
        .until(
            driver ->
                driver.findElements(By.cssSelector("table.labels tbody tr:not([hidden])")).size()
                    == 1);
    assertThat(
            browser.driver.findElement(By.cssSelector("time[data-relative]")).getAttribute("title"))
        .endsWith("UTC");
  }

  @Test
  void labelsHoldingMarkupAreShownAsText() {
    browser.driver.get(base + "/repositories/" + EVIL);
    assertThat(waitFor(By.tagName("h1")).getText()).isEqualTo(EVIL_TITLE);
    assertThat(browser.driver.findElement(By.cssSelector(".repo-head .lead")).getText())
        .isEqualTo("<img src=x onerror=\"window.__pwned=2\">described");
    assertThat(browser.driver.findElement(By.cssSelector("table.labels")).getText())
        .contains("javascript:window.__pwned=3")
        .contains("<script>window.__pwned=4</script>");
    assertThat(browser.driver.findElements(By.cssSelector("a[href^='javascript']"))).isEmpty();
    assertThat(browser.driver.findElements(By.cssSelector("main script, main img[src=x]")))
        .isEmpty();
    assertThat(browser.driver.executeScript("return window.__pwned === undefined")).isEqualTo(true);
  }

  @Test
  void copyButtonsPutThePullCommandOnTheClipboard() {
    browser.allowClipboard(base);
    browser.driver.get(base + "/repositories/" + UiSamples.HTTPD);
    WebElement copy = waitFor(By.cssSelector(".commands button.copy"));
    String expected = "podman pull " + registry.hostPort() + "/" + UiSamples.HTTPD + ":latest";
    assertThat(copy.getAttribute("data-copy")).isEqualTo(expected);
    copy.click();
    browser.waiting().until(ExpectedConditions.textToBePresentInElement(copy, "Copied"));
    Object clipboard =
        browser.driver.executeAsyncScript(
            "var done = arguments[arguments.length - 1]; navigator.clipboard.readText().then(done, e => done('error: ' + e));");
    assertThat(clipboard).isEqualTo(expected);
  }

  @Test
  void appsShowTheirAppstreamNameAndIcon() {
    browser.driver.get(base + "/apps");
    WebElement paint =
        waitFor(By.xpath("//li[contains(@class,'app')][.//h2[normalize-space()='Paint']]"));
    assertThat(paint.getText())
        .contains("Draw, paint and retouch pictures")
        .contains("org.example.Platform/x86_64/24.08")
        .contains("flatpak install flagstate org.example.Paint");
    WebElement icon = paint.findElement(By.cssSelector("img.icon"));
    browser
        .waiting()
        .until(
            driver ->
                ((Number)
                            browser.driver.executeScript(
                                "return arguments[0].complete ? arguments[0].naturalWidth : 0",
                                icon))
                        .intValue()
                    == 64);
    WebElement weather =
        browser.driver.findElement(
            By.xpath("//li[contains(@class,'app')][.//h2[normalize-space()='Weather']]"));
    assertThat(weather.getText()).contains("amd64, arm64");
  }

  @Test
  void cockpitListsPluginsByMarkerLabelAndByAppstream() {
    browser.driver.get(base + "/cockpit");
    String text = waitFor(By.tagName("main")).getText();
    assertThat(text)
        .contains("Podman extras for Cockpit")
        .contains("File preview")
        .doesNotContain("Apache HTTP Server");
  }

  @Test
  void updatesReportAnOutdatedDigestWithoutSendingTheList() throws Exception {
    RegistryPusher pusher = RegistryPusher.forRegistry(registry);
    PushedImage newer =
        pusher.pushImage(UiSamples.HTTPD, "latest", UiSamples.httpd("2.4.63", "httpd-2.4.63"));
    // this registry sends no notifications: a full sync (the reconciliation) picks the push up
    flagstate
        .vertx()
        .eventBus()
        .request(Addresses.CRAWLER_SYNC, null, new DeliveryOptions().setSendTimeout(60_000))
        .await(60, TimeUnit.SECONDS);
    assertThat(new String(flagstate.get("/api/v1/repositories/" + UiSamples.HTTPD).body()))
        .contains(newer.digest());
    browser.driver.get(base + "/updates");
    WebElement installed = waitFor(By.id("installed"));
    String pasted =
        UiSamples.HTTPD
            + ":latest@"
            + oldHttpd.digest()
            + "\n"
            + "REPOSITORY  TAG  DIGEST  IMAGE ID  CREATED  SIZE\n"
            + registry.hostPort()
            + "/"
            + UiSamples.HELLO
            + "  latest  "
            + helloDigest()
            + "  0123456789ab  2 days ago  1.2 kB\n"
            + "org.example.Paint/x86_64/stable  flagstate  "
            + UiSamples.commit("org.example.Paintx86_642.0").substring(0, 12);
    int before = accessLog.size();
    installed.sendKeys(pasted);
    browser.driver.findElement(By.cssSelector("#updates-form button[type=submit]")).click();
    WebElement results = waitFor(By.cssSelector("#update-results table"));
    List<WebElement> rows = results.findElements(By.cssSelector("tbody tr"));
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).getText())
        .contains(UiSamples.HTTPD + ":latest")
        .contains("newer version available");
    assertThat(rows.get(1).getText()).contains(UiSamples.HELLO + ":latest").contains("up to date");
    assertThat(rows.get(2).getText())
        .contains("app/org.example.Paint/x86_64/stable")
        .contains("newer version available");
    browser.screenshot(Path.of("target", "ui-screenshots", "updates-results-1440.png"));
    // the access log line is written when the response has ended, perhaps after the page has read
    // it
    browser.waiting().until(driver -> browserRequests(before).size() > 0);
    List<String> requests = browserRequests(before);
    assertThat(requests)
        .isNotEmpty()
        .allSatisfy(line -> assertThat(line).contains("\"GET /index/static HTTP/1.1\""));
    assertThat(String.join("\n", accessLog.lines()))
        .doesNotContain(oldHttpd.digest())
        .doesNotContain("org.example.Paint/x86_64");
  }

  /**
   * The access log lines of the browser's requests from line {@code from} on (the test's own are
   * left out).
   */
  private List<String> browserRequests(int from) {
    List<String> lines = accessLog.lines();
    return lines.subList(from, lines.size()).stream()
        .filter(line -> line.contains("HeadlessChrome"))
        .toList();
  }

  private String helloDigest() {
    return new io.vertx.core.json.JsonObject(
            new String(flagstate.get("/api/v1/repositories/" + UiSamples.HELLO).body()))
        .getJsonArray("tags")
        .getJsonObject(0)
        .getString("digest");
  }

  @Test
  void resultsPageThroughWithNextAndFirst() {
    browser.driver.get(base + "/search?namespace=bulk&limit=5");
    List<String> first = names();
    assertThat(first).containsExactly("bulk/r00", "bulk/r01", "bulk/r02", "bulk/r03", "bulk/r04");
    assertThat(browser.driver.findElement(By.cssSelector(".count-total")).getText())
        .isEqualTo("12 repositories");
    browser.driver.findElement(By.cssSelector(".pager a[rel=next]")).click();
    browser.waiting().until(ExpectedConditions.urlContains("cursor="));
    assertThat(names()).containsExactly("bulk/r05", "bulk/r06", "bulk/r07", "bulk/r08", "bulk/r09");
    browser.driver.findElement(By.cssSelector(".pager a[rel=next]")).click();
    browser.waiting().until(driver -> names().contains("bulk/r10"));
    assertThat(names()).containsExactly("bulk/r10", "bulk/r11");
    assertThat(browser.driver.findElements(By.cssSelector(".pager a[rel=next]"))).isEmpty();
    browser.driver.findElement(By.cssSelector(".pager a[rel=first]")).click();
    browser.waiting().until(driver -> names().contains("bulk/r00"));
  }

  private List<String> names() {
    return browser.driver.findElements(By.cssSelector(".results .card-name")).stream()
        .map(WebElement::getText)
        .toList();
  }

  @Test
  void searchAndFacetsWorkWithJavaScriptOff() {
    try (Browser plain = Browser.start(false)) {
      plain.driver.get(base + "/");
      WebElement box = plain.driver.findElement(By.id("home-q"));
      box.sendKeys("redis");
      box.sendKeys(Keys.ENTER);
      plain.waiting().until(ExpectedConditions.urlContains("/search?q=redis"));
      assertThat(plain.driver.findElement(By.cssSelector(".results")).getText())
          .contains("tools/redis-cli");
      assertThat(plain.driver.findElements(By.cssSelector(".suggestions li"))).isEmpty();
      plain.driver.get(base + "/search?q=e");
      plain
          .driver
          .findElement(
              By.xpath("//section[@class='facet'][h2='Kind']//a[.//span[text()='Cockpit plugin']]"))
          .click();
      plain.waiting().until(ExpectedConditions.urlContains("kind=cockpit-plugin"));
      assertThat(
              plain.driver.findElements(By.cssSelector(".results .card-name")).stream()
                  .map(WebElement::getText))
          .containsExactly(UiSamples.COCKPIT_APPSTREAM, UiSamples.COCKPIT_MARKED);
      assertThat(plain.driver.findElement(By.cssSelector(".filters")).getText())
          .contains("Kind: Cockpit plugin");
      // times stay exact without the script that makes them relative
      plain.driver.get(base + "/repositories/" + UiSamples.HTTPD);
      assertThat(plain.driver.findElement(By.cssSelector("time[data-relative]")).getText())
          .endsWith("UTC");
    }
  }

  @Test
  void otherPathsAreNotPages() {
    for (String path :
        List.of("/nothing/here", "/apps/x", "/ui/assets/app.css", "/repositories/")) {
      var response = flagstate.get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(404);
    }
    assertThat(flagstate.get("/index/static").headers().firstValue("Content-Type"))
        .hasValue("application/json");
  }

  @Test
  void darkModeFollowsTheSystemAndFocusIsVisible() {
    try {
      browser.driver.executeCdpCommand(
          "Emulation.setEmulatedMedia",
          Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
      browser.driver.get(base + "/");
      assertThat(
              browser.driver.executeScript(
                  "return getComputedStyle(document.body).backgroundColor"))
          .isEqualTo("rgb(13, 17, 23)");
      browser.screenshot(Path.of("target", "ui-screenshots", "home-1440-dark.png"));
    } finally {
      browser.driver.executeCdpCommand(
          "Emulation.setEmulatedMedia",
          Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "light"))));
    }
    browser.driver.get(base + "/");
    assertThat(
            browser.driver.executeScript("return getComputedStyle(document.body).backgroundColor"))
        .isEqualTo("rgb(246, 248, 250)");
    WebElement body = browser.driver.findElement(By.tagName("body"));
    body.sendKeys(Keys.TAB);
    WebElement skip = browser.driver.switchTo().activeElement();
    assertThat(skip.getText()).isEqualTo("Skip to content");
    skip.sendKeys(Keys.TAB);
    WebElement brand = browser.driver.switchTo().activeElement();
    assertThat(brand.getAttribute("class")).isEqualTo("brand");
    assertThat(
            browser.driver.executeScript(
                "var s = getComputedStyle(arguments[0]); return s.outlineStyle + ' ' + s.outlineWidth",
                brand))
        .isEqualTo("solid 3px");
  }

  @Test
  void screenshotsOfEveryPageAt360And1440() {
    Path directory = Path.of("target", "ui-screenshots");
    Map<String, String> pages =
        Map.of(
            "home",
            "/",
            "search",
            "/search?q=e",
            "repository",
            "/repositories/" + UiSamples.HELLO,
            "apps",
            "/apps",
            "cockpit",
            "/cockpit",
            "updates",
            "/updates");
    try {
      for (int width : new int[] {360, 1440}) {
        browser.width(width, 900);
        for (Map.Entry<String, String> page : pages.entrySet()) {
          browser.driver.get(base + page.getValue());
          waitFor(By.tagName("main"));
          Object overflow =
              browser.driver.executeScript(
                  "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
          assertThat(((Number) overflow).intValue())
              .as("horizontal overflow of %s at %d px", page.getKey(), width)
              .isLessThanOrEqualTo(0);
          browser.screenshot(directory.resolve(page.getKey() + "-" + width + ".png"));
        }
      }
    } finally {
      browser.width(1440, 1000);
    }
  }
}
