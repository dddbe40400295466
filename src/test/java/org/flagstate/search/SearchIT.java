package org.flagstate.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flagstate.testsupport.Commands;
import org.flagstate.testsupport.FlagstateEnvironment;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.RegistryPusher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Search, catalog and tag listing as the real {@code podman search} and docker's request shapes use
 * them, against an index crawled from a real registry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchIT {

  /**
   * A repository whose name shares nothing with its title: only a word-prefix match finds it for
   * "caf".
   */
  static final String CAFE = "samples/plain";

  static final String CAFE_TITLE = "Plain café 日本";
  static final String ICON_64 =
      "data:image/png;base64,"
          + "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
  static final String ICON_128 = "https://example.org/icons/128/org.test.Cafe.png";

  @RegisterExtension
  static final FlagstateEnvironment ENVIRONMENT =
      FlagstateEnvironment.builder().seed(SearchIT::push).build();

  FlagstateInstance flagstate;
  Path podmanHome;
  String host;

  void push(FlagstateEnvironment environment) {
    RegistryPusher pusher = environment.pusher();
    pusher.pushImage(
        "hello",
        "latest",
        ImageSpec.oci()
            .withLabel("org.opencontainers.image.description", "The plain hello image")
            .withSeed("hello"));
    pusher.pushImage(
        "flatpak/hello",
        "latest",
        ImageSpec.oci()
            .withLabel("org.opencontainers.image.description", "Says hello from a Flatpak")
            .withSeed("fp-hello"));
    pusher.tagExisting(
        "flatpak/hello", "v1", pusher.headDigest("flatpak/hello", "latest").orElseThrow());
    pusher.pushImage("tools/hello-world", "latest", ImageSpec.oci().withSeed("hello-world"));
    pusher.pushImage("tools/othello", "latest", ImageSpec.oci().withSeed("othello"));
    pusher.pushImage(
        "apps/greeter",
        "latest",
        ImageSpec.oci()
            .withLabel("io.k8s.description", "Greets you with hello and a smile")
            .withSeed("greeter"));
    pusher.pushImage(
        "apps/unrelated",
        "latest",
        ImageSpec.oci()
            .withLabel("org.opencontainers.image.description", "Nothing to see")
            .withSeed("unrelated"));
    for (int i = 0; i < 5; i++) {
      pusher.pushImage("paged/r" + i, "latest", ImageSpec.oci().withSeed("paged" + i));
    }
    pusher.pushImage(
        "samples/plain",
        "latest",
        ImageSpec.oci()
            .withAnnotation("org.opencontainers.image.title", CAFE_TITLE)
            .withLabel("summary", "Brews coffee, plainly")
            .withLabel("org.flatpak.ref", "app/org.test.Cafe/x86_64/master")
            .withLabel("org.freedesktop.appstream.icon-128", ICON_128)
            .withLabel("org.freedesktop.appstream.icon-64", ICON_64)
            .withSeed("cafe"));
  }

  @BeforeAll
  void start(FlagstateInstance flagstate) throws IOException {
    this.flagstate = flagstate;
    host = flagstate.baseUrl().substring("http://".length());
    podmanHome = Files.createTempDirectory("flagstate-podman-");
  }

  @AfterAll
  void stop() {
    if (podmanHome != null) {
      Commands.run(List.of("rm", "-rf", podmanHome.toString()), Map.of(), Duration.ofSeconds(30));
    }
  }

  Commands.Result podman(String... arguments) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "podman",
                "--root",
                podmanHome.resolve("root").toString(),
                "--runroot",
                podmanHome.resolve("runroot").toString(),
                "--storage-driver",
                "vfs"));
    command.addAll(List.of(arguments));
    return Commands.run(
            command,
            Map.of(
                "HOME",
                podmanHome.toString(),
                "XDG_CONFIG_HOME",
                podmanHome.resolve("config").toString(),
                "XDG_RUNTIME_DIR",
                podmanHome.resolve("run").toString()),
            Duration.ofMinutes(1))
        .requireSuccess(command);
  }

  JsonObject json(String path, String... headers) {
    HttpResponse<byte[]> response = flagstate.get(path, headers);
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
  }

  static List<String> names(JsonObject search) {
    return search.getJsonArray("results").stream()
        .map(r -> ((JsonObject) r).getString("name"))
        .toList();
  }

  @Test
  void podmanSearchFindsRepositoriesByNameAndDescription() {
    String output = podman("search", "--tls-verify=false", host + "/hello").output();
    assertThat(output)
        .contains(host + "/hello")
        .contains(host + "/flatpak/hello")
        .contains(host + "/apps/greeter");
    assertThat(output).doesNotContain("apps/unrelated");
  }

  @Test
  void podmanSearchLimit() {
    String output =
        podman("search", "--tls-verify=false", "--limit", "2", host + "/hello").output();
    assertThat(output.lines().filter(line -> line.contains(host + "/")).count()).isEqualTo(2);
  }

  @Test
  void podmanSearchJsonCarriesDescriptions() {
    String output =
        podman("search", "--tls-verify=false", "--format", "json", "--no-trunc", host + "/greeter")
            .output();
    // podman's own warnings (no systemd session here) share the output; the JSON starts at the
    // first '['
    JsonArray results = new JsonArray(output.substring(output.indexOf('[')));
    assertThat(results).hasSize(1);
    assertThat(results.getJsonObject(0).getString("Name")).isEqualTo(host + "/apps/greeter");
    assertThat(results.getJsonObject(0).getString("Description"))
        .isEqualTo("Greets you with hello and a smile");
  }

  @Test
  void podmanListTagsReadsTagsList() {
    String output =
        podman("search", "--tls-verify=false", "--list-tags", host + "/flatpak/hello").output();
    assertThat(output).contains("latest").contains("v1");
  }

  @Test
  void podmanWithAnEmptyTermFallsBackToTheCatalog() {
    String output = podman("search", "--tls-verify=false", host + "/").output();
    assertThat(output).contains(host + "/paged/r4").contains(host + "/apps/greeter");
  }

  @Test
  void rankingIsExactNamePrefixSubstringThenText() {
    assertThat(names(json("/v1/search?q=hello&n=25")))
        .containsExactly(
            "flatpak/hello", "hello", "tools/hello-world", "tools/othello", "apps/greeter");
  }

  @Test
  void dockerRequestShapes() {
    HttpResponse<byte[]> ping = flagstate.get("/v1/_ping");
    assertThat(ping.statusCode()).isEqualTo(200);
    JsonObject search = json("/v1/search?q=greeter&n=25", "X-Docker-Token", "true");
    assertThat(search.getInteger("num_results")).isEqualTo(1);
    assertThat(search.getString("query")).isEqualTo("greeter");
    JsonObject result = search.getJsonArray("results").getJsonObject(0);
    assertThat(result.fieldNames())
        .contains("name", "description", "star_count", "is_official", "is_automated");
    HttpResponse<byte[]> v2 = flagstate.get("/v2/");
    assertThat(v2.statusCode()).isEqualTo(200);
    assertThat(v2.headers().firstValue("Docker-Distribution-Api-Version")).contains("registry/2.0");
  }

  @Test
  void searchPagesAndCountsTotals() {
    JsonObject first = json("/v1/search?q=hello&n=2");
    assertThat(first.getInteger("num_results")).isEqualTo(5);
    assertThat(first.getInteger("num_pages")).isEqualTo(3);
    assertThat(names(first)).hasSize(2);
    JsonObject third = json("/v1/search?q=hello&n=2&page=3");
    assertThat(names(third)).containsExactly("apps/greeter");
  }

  @Test
  void pagesOfEverySizeCutTheSameRanking() {
    List<String> ranked = names(json("/v1/search?q=hello&n=25"));
    for (int n = 1; n <= 3; n++) {
      List<String> paged = new ArrayList<>();
      for (int page = 1; page <= (ranked.size() + n - 1) / n; page++) {
        paged.addAll(names(json("/v1/search?q=hello&n=" + n + "&page=" + page)));
      }
      assertThat(paged).as("pages of %d", n).isEqualTo(ranked);
    }
    JsonObject past = json("/v1/search?q=hello&n=2&page=4");
    assertThat(names(past)).isEmpty();
    assertThat(past.getInteger("num_results")).isEqualTo(ranked.size());
  }

  @Test
  void badSearchParametersAreJson400s() {
    for (String query :
        List.of(
            "q=hello&n=0",
            "q=hello&n=101",
            "q=hello&n=ten",
            "q=",
            "n=5",
            "q=hello&sort=stars",
            "q=hello&page=0",
            "q=%00",
            "q=hel%00lo")) {
      HttpResponse<byte[]> response = flagstate.get("/v1/search?" + query);
      assertThat(response.statusCode()).as(query).isEqualTo(400);
      assertThat(
              new JsonObject(new String(response.body()))
                  .getJsonObject("error")
                  .getString("parameter"))
          .as(query)
          .isNotNull();
    }
  }

  static List<String> apiNames(JsonObject page) {
    return page.getJsonArray("repositories").stream()
        .map(r -> ((JsonObject) r).getString("name"))
        .toList();
  }

  static String encoded(String term) {
    return java.net.URLEncoder.encode(term, StandardCharsets.UTF_8);
  }

  @Test
  void aPartlyTypedWordFindsTheCafeRepositoryFirstInBothSearchesAndInPodman() {
    assertThat(names(json("/v1/search?q=caf"))).first().isEqualTo(CAFE);
    assertThat(apiNames(json("/api/v1/search?q=caf"))).first().isEqualTo(CAFE);
    assertThat(names(json("/v1/search?q=" + encoded("Café 日")))).containsExactly(CAFE);
    String output =
        podman("search", "--tls-verify=false", "--format", "json", "--no-trunc", host + "/caf")
            .output();
    JsonArray results = new JsonArray(output.substring(output.indexOf('[')));
    assertThat(results).isNotEmpty();
    assertThat(results.getJsonObject(0).getString("Name")).isEqualTo(host + "/" + CAFE);
    assertThat(results.getJsonObject(0).getString("Description"))
        .isEqualTo("Brews coffee, plainly");
  }

  @Test
  void bothSearchesMatchTheSameRepositories() {
    for (String term :
        List.of(
            "caf",
            "hello",
            "HELLO",
            "hel",
            "greet",
            "greeter",
            "smile",
            "hello-world",
            "hello world",
            "flatpak/hello",
            "paged",
            "r",
            "日本",
            "plain",
            "nothing to",
            "%",
            "_",
            "a&b|c",
            "caf' | 'x",
            "(!x)",
            "tools/")) {
      List<String> ranked = names(json("/v1/search?n=100&q=" + encoded(term)));
      List<String> listed = apiNames(json("/api/v1/search?limit=100&q=" + encoded(term)));
      assertThat(listed).as(term).containsExactlyInAnyOrderElementsOf(ranked);
      assertThat(json("/v1/search?n=100&q=" + encoded(term)).getInteger("num_results"))
          .as(term)
          .isEqualTo(json("/api/v1/search?limit=100&q=" + encoded(term)).getInteger("total"));
    }
    assertThat(names(json("/v1/search?q=greet"))).containsExactly("apps/greeter");
  }

  @Test
  void titleDescriptionAndIconAgreeAcrossSearchListingAndRepository() {
    JsonObject hit = json("/v1/search?q=caf").getJsonArray("results").getJsonObject(0);
    JsonObject listed =
        json("/api/v1/repositories?limit=100").getJsonArray("repositories").stream()
            .map(JsonObject.class::cast)
            .filter(r -> r.getString("name").equals(CAFE))
            .findFirst()
            .orElseThrow();
    JsonObject found = json("/api/v1/search?q=caf").getJsonArray("repositories").getJsonObject(0);
    JsonObject detail = json("/api/v1/repositories/" + CAFE);
    for (JsonObject repository : List.of(hit, listed, found, detail)) {
      assertThat(repository.getString("name")).isEqualTo(CAFE);
      assertThat(repository.getString("title")).isEqualTo(CAFE_TITLE);
      assertThat(repository.getString("description"))
          .as("the label 'summary'")
          .isEqualTo("Brews coffee, plainly");
      assertThat(repository.getString("icon")).as("icon-64 before icon-128").isEqualTo(ICON_64);
    }
    JsonObject greeter = json("/v1/search?q=greeter").getJsonArray("results").getJsonObject(0);
    JsonObject greeterDetail = json("/api/v1/repositories/apps/greeter");
    assertThat(greeter.getString("description"))
        .isEqualTo(greeterDetail.getString("description"))
        .isEqualTo("Greets you with hello and a smile");
    assertThat(greeter.containsKey("title")).isFalse();
    assertThat(greeter.containsKey("icon")).isFalse();
    assertThat(greeterDetail.fieldNames()).doesNotContain("title", "icon");
  }

  @Test
  void catalogPagesWithNLastAndLink() {
    HttpResponse<byte[]> first = flagstate.get("/v2/_catalog?n=3");
    assertThat(new JsonObject(new String(first.body())).getJsonArray("repositories"))
        .containsExactly("apps/greeter", "apps/unrelated", "flatpak/hello");
    assertThat(first.headers().firstValue("Link"))
        .contains("</v2/_catalog?last=flatpak%2Fhello&n=3>; rel=\"next\"");
    JsonObject second = json("/v2/_catalog?last=flatpak%2Fhello&n=3");
    assertThat(second.getJsonArray("repositories"))
        .containsExactly("hello", "paged/r0", "paged/r1");
    HttpResponse<byte[]> last = flagstate.get("/v2/_catalog?last=tools%2Fhello-world&n=3");
    assertThat(new JsonObject(new String(last.body())).getJsonArray("repositories"))
        .containsExactly("tools/othello");
    assertThat(last.headers().firstValue("Link")).isEmpty();
  }

  @Test
  void tagsListAndItsErrors() {
    JsonObject tags = json("/v2/flatpak/hello/tags/list");
    assertThat(tags.getString("name")).isEqualTo("flatpak/hello");
    assertThat(tags.getJsonArray("tags")).containsExactly("latest", "v1");
    HttpResponse<byte[]> paged = flagstate.get("/v2/flatpak/hello/tags/list?n=1");
    assertThat(paged.headers().firstValue("Link"))
        .contains("</v2/flatpak/hello/tags/list?last=latest&n=1>; rel=\"next\"");
    HttpResponse<byte[]> unknown = flagstate.get("/v2/no/such/tags/list");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(new String(unknown.body())).contains("\"code\":\"NAME_UNKNOWN\"");
    HttpResponse<byte[]> badN = flagstate.get("/v2/_catalog?n=-1");
    assertThat(badN.statusCode()).isEqualTo(400);
    assertThat(new String(badN.body())).contains("\"code\":\"PAGINATION_NUMBER_INVALID\"");
    for (String name : List.of("%00", "Upper/case", "a..b", "flatpak/hello%00")) {
      HttpResponse<byte[]> invalid = flagstate.get("/v2/" + name + "/tags/list");
      assertThat(invalid.statusCode()).as(name).isEqualTo(400);
      assertThat(new String(invalid.body())).as(name).contains("\"code\":\"NAME_INVALID\"");
    }
    for (String query : List.of("/v2/_catalog?last=%00", "/v2/flatpak/hello/tags/list?last=a%00")) {
      HttpResponse<byte[]> nul = flagstate.get(query);
      assertThat(nul.statusCode()).as(query).isEqualTo(400);
      assertThat(new String(nul.body())).as(query).contains("\"parameter\":\"last\"");
    }
  }
}
