package org.flagstate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.flagstate.testsupport.FlagstateEnvironment;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.IndexFormat;
import org.flagstate.testsupport.IndexMember;
import org.flagstate.testsupport.PushedImage;
import org.flagstate.testsupport.PushedIndex;
import org.flagstate.testsupport.RegistryPusher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JSON API of docs/api.md against a real docker-registry with pushed images, lists and
 * artifacts, crawled by a real Flagstate on a PostgreSQL server. Every exchange is also written to
 * {@code target/api-examples/}, where docs/api.md takes its examples from.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiIT {

  static final String REF = "org.flatpak.ref";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  static final Pattern LINK = Pattern.compile("<([^>]+)>; rel=\"next\"");
  static final Path EXAMPLES = Path.of("target", "api-examples");
  static final List<String> ALL_REPOSITORIES =
      List.of(
          "docker/plain",
          "flatpak/hello",
          "k8s/thing",
          "multi/docker",
          "multi/oci",
          "paged/r0",
          "paged/r1",
          "paged/r2",
          "paged/r3",
          "paged/r4",
          "shared/copy",
          "solo/amd64");

  @RegisterExtension
  static final FlagstateEnvironment ENVIRONMENT =
      FlagstateEnvironment.builder().seed(ApiIT::push).build();

  RegistryPusher pusher;
  FlagstateInstance flagstate;
  PushedImage hello;
  PushedImage helloArm;
  PushedImage plain;
  PushedIndex ociIndex;
  PushedIndex dockerList;

  void push(FlagstateEnvironment environment) {
    pusher = environment.pusher();
    ImageSpec helloSpec =
        ImageSpec.oci()
            .withLabel(REF, "app/org.test.Hello/x86_64/master")
            .withLabel("org.opencontainers.image.description", "Says hello")
            .withAnnotation("org.opencontainers.image.title", "Hello")
            .withCreated("2024-05-01T10:00:00Z");
    hello = pusher.pushImage("flatpak/hello", "latest", helloSpec);
    pusher.tagExisting("flatpak/hello", "v1", hello.digest());
    helloArm =
        pusher.pushImage(
            "flatpak/hello",
            "arm",
            ImageSpec.oci()
                .withPlatform("linux", "arm64", "v8")
                .withLabel(REF, "app/org.test.Hello/aarch64/master")
                .withSeed("hello-arm"));
    pusher.pushArtifact("flatpak/hello", "sbom");
    pusher.pushImage("shared/copy", "other", helloSpec);
    plain =
        pusher.pushImage(
            "docker/plain",
            "latest",
            ImageSpec.dockerSchema2()
                .withLabel("maintainer", "someone")
                .withCreated("2024-01-02T03:04:05Z"));
    pusher.pushImage(
        "k8s/thing",
        "1.0",
        ImageSpec.oci()
            .withLabel("io.k8s.display-name", "Thing")
            .withLabel("io.k8s.description", "Kubernetes flavoured thing")
            .withSeed("k8s"));
    ImageSpec ociAmd64 =
        ImageSpec.oci()
            .withPlatform("linux", "amd64", null)
            .withLabel(REF, "app/org.test.Multi/x86_64/master")
            .withLabel("summary", "A multi-arch app")
            .withSeed("oci-amd64");
    ociIndex =
        pusher.pushMultiArch(
            "multi/oci",
            "latest",
            IndexFormat.OCI_INDEX,
            List.of(
                ociAmd64,
                ImageSpec.oci()
                    .withPlatform("linux", "arm64", "v8")
                    .withLabel(REF, "app/org.test.Multi/aarch64/master")
                    .withSeed("oci-arm64"),
                ImageSpec.oci()
                    .withPlatform("linux", "ppc64le", null)
                    .withLabel(REF, "app/org.test.Multi/ppc64le/master")
                    .withSeed("oci-ppc64le")));
    pusher.tagExisting("multi/oci", "stable", ociIndex.digest());
    pusher.pushImage("solo/amd64", "x", ociAmd64);
    dockerList =
        pusher.pushMultiArch(
            "multi/docker",
            "stable",
            IndexFormat.DOCKER_MANIFEST_LIST,
            List.of(
                ImageSpec.dockerSchema2()
                    .withPlatform("linux", "amd64", null)
                    .withSeed("docker-amd64"),
                ImageSpec.dockerSchema2()
                    .withPlatform("linux", "s390x", null)
                    .withSeed("docker-s390x")));
    for (int i = 0; i < 5; i++) {
      pusher.pushImage("paged/r" + i, "latest", ImageSpec.oci().withSeed("paged" + i));
    }
    pusher.pushArtifact("weird/artifact", "sbom");
  }

  @BeforeAll
  void start(FlagstateInstance flagstate) throws IOException {
    this.flagstate = flagstate;
    Files.createDirectories(EXAMPLES);
  }

  // --- helpers ---

  HttpResponse<byte[]> get(String path, String... headers) {
    return flagstate.get(path, headers);
  }

  /**
   * GETs {@code path}, expects 200 JSON and writes the exchange to target/api-examples/{@code
   * example}.txt.
   */
  JsonObject json(String example, String path) {
    HttpResponse<byte[]> response = get(path);
    assertThat(response.statusCode()).as("%s: %s", path, text(response)).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(response.headers().firstValue("Cache-Control")).contains("no-cache");
    record(example, path, response);
    return new JsonObject(text(response));
  }

  void record(String example, String path, HttpResponse<byte[]> response) {
    if (example == null) {
      return;
    }
    StringBuilder out = new StringBuilder("GET ").append(path).append("\n\n");
    out.append(response.statusCode()).append('\n');
    for (String header :
        List.of("Content-Type", "Cache-Control", "ETag", "Last-Modified", "Vary", "Link")) {
      response
          .headers()
          .firstValue(header)
          .ifPresent(v -> out.append(header).append(": ").append(v).append('\n'));
    }
    String body = text(response);
    try {
      body = body.startsWith("{") ? new JsonObject(body).encodePrettily() : body;
    } catch (RuntimeException notJson) {
      // keep the raw text
    }
    out.append('\n').append(body).append('\n');
    try {
      Files.writeString(EXAMPLES.resolve(example + ".txt"), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  static List<String> names(JsonObject page) {
    return page.getJsonArray("repositories").stream()
        .map(r -> ((JsonObject) r).getString("name"))
        .toList();
  }

  static JsonObject byName(JsonArray array, String name) {
    return array.stream()
        .map(JsonObject.class::cast)
        .filter(o -> o.getString("name").equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in " + array.encode()));
  }

  static String nextLink(HttpResponse<byte[]> response) {
    return response
        .headers()
        .firstValue("Link")
        .map(
            link -> {
              Matcher matcher = LINK.matcher(link);
              assertThat(matcher.matches()).as(link).isTrue();
              return matcher.group(1);
            })
        .orElse(null);
  }

  /** Follows next links from {@code path}; asserts body and header agree; returns every page. */
  List<JsonObject> allPages(String path, String example) {
    List<JsonObject> pages = new ArrayList<>();
    String next = path;
    while (next != null) {
      HttpResponse<byte[]> response = get(next);
      assertThat(response.statusCode()).as(next).isEqualTo(200);
      if (pages.size() < 2) {
        record(example == null ? null : example + "-page" + (pages.size() + 1), next, response);
      }
      JsonObject page = new JsonObject(text(response));
      pages.add(page);
      String link = nextLink(response);
      if (page.getString("next") == null) {
        assertThat(link).as("no Link on the last page").isNull();
      } else {
        assertThat(link).isNotNull().endsWith("&cursor=" + page.getString("next"));
      }
      next = link;
      assertThat(pages).as("paging terminates").hasSizeLessThan(50);
    }
    return pages;
  }

  void assertError(String path, int status, String code, String parameter) {
    FlagstateInstance.RawResponse response = flagstate.rawGet(path);
    assertThat(response.status()).as("%s: %s", path, response.body()).isEqualTo(status);
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error.getString("code")).as(path).isEqualTo(code);
    assertThat(error.getString("message")).isNotBlank();
    assertThat(error.getString("parameter")).as(path).isEqualTo(parameter);
  }

  // --- /api/v1/repositories ---

  @Test
  void repositoriesAreListedBytewiseWithTotalAndTheDefaultLimit() {
    JsonObject page = json("repositories", "/api/v1/repositories");
    assertThat(names(page)).containsExactlyElementsOf(ALL_REPOSITORIES);
    assertThat(page.getLong("total")).isEqualTo(12);
    assertThat(page.getInteger("limit")).isEqualTo(50);
    assertThat(page.containsKey("next")).isTrue();
    assertThat(page.getString("next")).isNull();
  }

  @Test
  void repositoriesArePagedWithACursorInTheBodyAndALinkHeader() {
    List<JsonObject> pages = allPages("/api/v1/repositories?limit=5", "repositories-paged");
    assertThat(pages).hasSize(3);
    assertThat(pages.stream().flatMap(p -> names(p).stream()).toList())
        .containsExactlyElementsOf(ALL_REPOSITORIES);
    assertThat(pages).allSatisfy(p -> assertThat(p.getLong("total")).isEqualTo(12));
    assertThat(names(pages.get(0))).hasSize(5);
    assertThat(names(pages.get(2))).containsExactly("shared/copy", "solo/amd64");
    HttpResponse<byte[]> first = get("/api/v1/repositories?limit=5");
    assertThat(nextLink(first))
        .isEqualTo("/api/v1/repositories?limit=5&cursor=" + pages.get(0).getString("next"));
  }

  @Test
  void aRepositorySummaryCarriesTagCountLastUpdateAndTextFromLabelsAndAnnotations() {
    JsonArray repositories = json(null, "/api/v1/repositories").getJsonArray("repositories");
    JsonObject hello = byName(repositories, "flatpak/hello");
    assertThat(hello.getInteger("tagCount")).isEqualTo(3);
    assertThat(hello.getString("title")).isEqualTo("Hello");
    assertThat(hello.getString("description")).isEqualTo("Says hello");
    assertThat(hello.getString("lastUpdated"))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    JsonObject thing = byName(repositories, "k8s/thing");
    assertThat(thing.getString("title")).isEqualTo("Thing");
    assertThat(thing.getString("description")).isEqualTo("Kubernetes flavoured thing");
    JsonObject multi = byName(repositories, "multi/oci");
    assertThat(multi.getString("description"))
        .as("from the first list member that has one")
        .isEqualTo("A multi-arch app");
    assertThat(multi.getInteger("tagCount")).isEqualTo(2);
    JsonObject plain = byName(repositories, "docker/plain");
    assertThat(plain.fieldNames()).containsExactly("name", "tagCount", "lastUpdated");
  }

  // --- /api/v1/repositories/<name> ---

  @Test
  void aRepositoryHasItsTagsWithDigestPlatformCreatedSizesLabelsAndAnnotations() {
    JsonObject repository = json("repository", "/api/v1/repositories/flatpak/hello");
    assertThat(repository.getString("name")).isEqualTo("flatpak/hello");
    assertThat(repository.getString("title")).isEqualTo("Hello");
    JsonArray tags = repository.getJsonArray("tags");
    assertThat(tags.stream().map(t -> ((JsonObject) t).getString("name")))
        .containsExactly("arm", "latest", "v1");
    JsonObject latest = byName(tags, "latest");
    assertThat(latest.getString("digest")).isEqualTo(hello.digest());
    assertThat(latest.getString("mediaType")).isEqualTo(OCI_MANIFEST);
    assertThat(latest.getString("kind")).isEqualTo("image");
    assertThat(latest.getJsonObject("platform").getMap())
        .isEqualTo(Map.of("os", "linux", "architecture", "amd64"));
    assertThat(latest.getJsonArray("architectures")).containsExactly("amd64");
    assertThat(latest.getString("created")).isEqualTo("2024-05-01T10:00:00Z");
    long configSize = pusher.fetchBlob("flatpak/hello", hello.configDigest()).length;
    long layerSize = pusher.fetchBlob("flatpak/hello", hello.layerDigest()).length;
    assertThat(latest.getJsonObject("size").getMap())
        .isEqualTo(
            Map.of(
                "manifest",
                (int) hello.size(),
                "config",
                (int) configSize,
                "layers",
                (int) layerSize,
                "total",
                (int) (hello.size() + configSize + layerSize)));
    assertThat(latest.getJsonObject("labels").getMap())
        .containsEntry(REF, "app/org.test.Hello/x86_64/master");
    assertThat(latest.getJsonObject("annotations").getMap())
        .isEqualTo(Map.of("org.opencontainers.image.title", "Hello"));
    assertThat(latest.getString("updatedAt")).isNotBlank();
    JsonObject arm = byName(tags, "arm");
    assertThat(arm.getString("digest")).isEqualTo(helloArm.digest());
    assertThat(arm.getJsonObject("platform").getMap())
        .isEqualTo(Map.of("os", "linux", "architecture", "arm64", "variant", "v8"));
    assertThat(arm.containsKey("created")).isFalse();
    assertThat(arm.getJsonObject("annotations").getMap()).isEmpty();
  }

  @Test
  void aListTagCarriesItsMembersWithPlatformsInManifestOrder() {
    JsonObject repository = json("repository-list", "/api/v1/repositories/multi/oci");
    JsonObject latest = byName(repository.getJsonArray("tags"), "latest");
    assertThat(latest.getString("kind")).isEqualTo("list");
    assertThat(latest.getString("digest")).isEqualTo(ociIndex.digest());
    assertThat(latest.getString("mediaType")).isEqualTo(OCI_INDEX);
    assertThat(latest.getJsonArray("architectures")).containsExactly("amd64", "arm64", "ppc64le");
    assertThat(latest.getJsonObject("size").getMap())
        .isEqualTo(Map.of("manifest", (int) ociIndex.size()));
    JsonArray members = latest.getJsonArray("members");
    assertThat(members.stream().map(m -> ((JsonObject) m).getString("digest")))
        .containsExactlyElementsOf(ociIndex.members().stream().map(IndexMember::digest).toList());
    JsonObject arm = members.getJsonObject(1);
    assertThat(arm.getJsonObject("platform").getMap())
        .isEqualTo(Map.of("os", "linux", "architecture", "arm64", "variant", "v8"));
    assertThat(arm.getJsonObject("listedPlatform").getMap())
        .isEqualTo(Map.of("os", "linux", "architecture", "arm64", "variant", "v8"));
    assertThat(arm.getJsonObject("labels").getMap())
        .containsEntry(REF, "app/org.test.Multi/aarch64/master");
    assertThat(arm.getJsonObject("size").getMap())
        .containsKeys("manifest", "config", "layers", "total");
    assertThat(byName(repository.getJsonArray("tags"), "stable").getString("digest"))
        .isEqualTo(ociIndex.digest());
    JsonObject docker =
        byName(json(null, "/api/v1/repositories/multi/docker").getJsonArray("tags"), "stable");
    assertThat(docker.getString("mediaType")).isEqualTo(DOCKER_LIST);
    assertThat(docker.getJsonArray("architectures")).containsExactly("amd64", "s390x");
  }

  @Test
  void anUnknownRepositoryIsA404AndAMalformedNameA400() {
    HttpResponse<byte[]> missing = get("/api/v1/repositories/no/such");
    record("repository-404", "/api/v1/repositories/no/such", missing);
    assertError("/api/v1/repositories/no/such", 404, "NOT_FOUND", null);
    assertError("/api/v1/repositories/weird/artifact", 404, "NOT_FOUND", null);
    assertError("/api/v1/repositories/Flatpak/Hello", 400, "INVALID_PARAMETER", "name");
    assertError("/api/v1/repositories/flatpak/hello-", 400, "INVALID_PARAMETER", "name");
    assertError("/api/v1/repositories/flatpak/hello%20world", 400, "INVALID_PARAMETER", "name");
    assertError("/api/v1/repositories/flatpak/hello?tag=latest", 400, "INVALID_PARAMETER", "tag");
    for (String target :
        List.of("/api/v1/repositories/flatpak%zz", "/api/v1/repositories/flatpak%4")) {
      FlagstateInstance.RawResponse badEscape = flagstate.rawGet(target);
      assertThat(badEscape.status()).as(badEscape.body()).isEqualTo(400);
      assertThat(new JsonObject(badEscape.body()).getJsonObject("error").getString("message"))
          .contains("%-escape");
    }
  }

  // --- /api/v1/search ---

  @Test
  void searchMatchesNamesAndTitlesCaseInsensitivelyWithFacetsOverTheMatchSet() {
    JsonObject result = json("search", "/api/v1/search?q=HELLO");
    assertThat(names(result)).containsExactly("flatpak/hello", "shared/copy");
    assertThat(result.getLong("total")).isEqualTo(2);
    assertThat(result.getJsonObject("query").getString("q")).isEqualTo("HELLO");
    JsonObject facets = result.getJsonObject("facets");
    assertThat(facets.getJsonObject("architecture").getMap())
        .isEqualTo(Map.of("amd64", 2, "arm64", 1));
    assertThat(facets.getJsonObject("os").getMap()).isEqualTo(Map.of("linux", 2));
    assertThat(facets.getJsonObject("label").getMap())
        .isEqualTo(Map.of(REF, 2, "org.opencontainers.image.description", 2));
    assertThat(facets.getJsonObject("mediaType").getMap()).isEqualTo(Map.of(OCI_MANIFEST, 2));
    assertThat(names(json(null, "/api/v1/search?q=multi-arch")))
        .as("solo/amd64 tags the member image itself")
        .containsExactly("multi/oci", "solo/amd64");
    assertThat(names(json(null, "/api/v1/search?q=kubernetes"))).containsExactly("k8s/thing");
    assertThat(names(json(null, "/api/v1/search?q=%25"))).isEmpty();
  }

  @Test
  void searchFiltersImagesByArchitectureOsLabelAndMediaTypeIncludingListMembers() {
    JsonObject arm = json("search-filtered", "/api/v1/search?architecture=arm64&label=" + REF);
    assertThat(names(arm)).containsExactly("flatpak/hello", "multi/oci");
    assertThat(arm.getJsonObject("facets").getJsonObject("mediaType").getMap())
        .isEqualTo(Map.of(OCI_MANIFEST, 2, OCI_INDEX, 1));
    assertThat(names(json(null, "/api/v1/search?architecture=s390x")))
        .containsExactly("multi/docker");
    assertThat(names(json(null, "/api/v1/search?architecture=s390x&architecture=ppc64le")))
        .containsExactly("multi/docker", "multi/oci");
    assertThat(names(json(null, "/api/v1/search?mediaType=" + DOCKER_LIST.replace("+", "%2B"))))
        .containsExactly("multi/docker");
    assertThat(names(json(null, "/api/v1/search?mediaType=" + DOCKER_MANIFEST.replace("+", "%2B"))))
        .containsExactly("docker/plain", "multi/docker");
    assertThat(names(json(null, "/api/v1/search?label=maintainer&os=linux")))
        .containsExactly("docker/plain");
    assertThat(names(json(null, "/api/v1/search?q=hello&architecture=arm64")))
        .containsExactly("flatpak/hello");
    JsonObject none = json("search-empty", "/api/v1/search?os=windows");
    assertThat(none.getJsonArray("repositories")).isEmpty();
    assertThat(none.getLong("total")).isZero();
    assertThat(none.getJsonObject("facets").getJsonObject("architecture").getMap()).isEmpty();
  }

  @Test
  void searchWithoutTextListsEverythingWithFacetsOfTheWholeIndex() {
    JsonObject all = json("search-all", "/api/v1/search?limit=3");
    assertThat(all.getLong("total")).isEqualTo(12);
    assertThat(names(all)).containsExactly("docker/plain", "flatpak/hello", "k8s/thing");
    JsonObject architectures = all.getJsonObject("facets").getJsonObject("architecture");
    assertThat(architectures.getMap())
        .isEqualTo(Map.of("amd64", 12, "arm64", 2, "ppc64le", 1, "s390x", 1));
  }

  @Test
  void searchIsPagedAcrossPagesWithTheSameTotalAndFacets() {
    List<JsonObject> pages = allPages("/api/v1/search?q=paged&limit=2", "search-paged");
    assertThat(pages).hasSize(3);
    assertThat(pages.stream().flatMap(p -> names(p).stream()))
        .containsExactly("paged/r0", "paged/r1", "paged/r2", "paged/r3", "paged/r4");
    assertThat(pages)
        .allSatisfy(
            p -> {
              assertThat(p.getLong("total")).isEqualTo(5);
              assertThat(p.getJsonObject("facets").getJsonObject("architecture").getMap())
                  .isEqualTo(Map.of("amd64", 5));
            });
    assertThat(nextLink(get("/api/v1/search?limit=2&q=paged")))
        .isEqualTo("/api/v1/search?q=paged&limit=2&cursor=" + pages.get(0).getString("next"));
  }

  // --- /api/v1/digests/<digest> ---

  @Test
  void aDigestIsFoundWhereItIsTaggedAndWhereATaggedListHoldsIt() {
    String member = ociIndex.members().get(0).digest();
    JsonObject usage = json("digest-member", "/api/v1/digests/" + member);
    assertThat(usage.getString("digest")).isEqualTo(member);
    assertThat(usage.getString("kind")).isEqualTo("image");
    JsonArray repositories = usage.getJsonArray("repositories");
    assertThat(repositories.stream().map(r -> ((JsonObject) r).getString("name")))
        .containsExactly("multi/oci", "solo/amd64");
    JsonObject multi = byName(repositories, "multi/oci");
    assertThat(multi.getJsonArray("tags")).isEmpty();
    assertThat(multi.getJsonArray("lists").getJsonObject(0).getMap())
        .isEqualTo(
            Map.of(
                "digest",
                ociIndex.digest(),
                "mediaType",
                OCI_INDEX,
                "tags",
                List.of("latest", "stable")));
    JsonObject solo = byName(repositories, "solo/amd64");
    assertThat(solo.getJsonArray("tags")).containsExactly("x");
    assertThat(solo.getJsonArray("lists")).isEmpty();

    JsonArray helloHolders =
        json(null, "/api/v1/digests/" + hello.digest()).getJsonArray("repositories");
    assertThat(byName(helloHolders, "flatpak/hello").getJsonArray("tags"))
        .containsExactly("latest", "v1");
    assertThat(byName(helloHolders, "shared/copy").getJsonArray("tags")).containsExactly("other");

    JsonObject list = json("digest-list", "/api/v1/digests/" + dockerList.digest());
    assertThat(list.getString("kind")).isEqualTo("list");
    assertThat(list.getJsonArray("members")).hasSize(2);
    assertThat(byName(list.getJsonArray("repositories"), "multi/docker").getJsonArray("tags"))
        .containsExactly("stable");
  }

  @Test
  void aMalformedDigestIsA400AndAnUnknownOneA404() {
    String unknown = "sha256:" + "0".repeat(64);
    record("digest-404", "/api/v1/digests/" + unknown, get("/api/v1/digests/" + unknown));
    assertError("/api/v1/digests/" + unknown, 404, "NOT_FOUND", null);
    assertError("/api/v1/digests/sha256:abc", 400, "INVALID_PARAMETER", "digest");
    assertError("/api/v1/digests/latest", 400, "INVALID_PARAMETER", "digest");
    assertError("/api/v1/digests/" + hello.digest() + "?x=1", 400, "INVALID_PARAMETER", "x");
    assertError("/api/v1/digests/" + hello.configDigest(), 404, "NOT_FOUND", null);
  }

  // --- validation and caching shared by every endpoint ---

  @Test
  void badParametersAreA400NamingTheParameter() {
    record("error-400", "/api/v1/repositories?limit=0", get("/api/v1/repositories?limit=0"));
    assertError("/api/v1/repositories?limit=0", 400, "INVALID_PARAMETER", "limit");
    assertError("/api/v1/repositories?limit=101", 400, "INVALID_PARAMETER", "limit");
    assertError("/api/v1/repositories?limit=abc", 400, "INVALID_PARAMETER", "limit");
    assertError("/api/v1/repositories?cursor=garbage", 400, "INVALID_PARAMETER", "cursor");
    assertError("/api/v1/repositories?n=5", 400, "INVALID_PARAMETER", "n");
    assertError("/api/v1/repositories?limit=1&limit=2", 400, "INVALID_PARAMETER", "limit");
    assertError("/api/v1/search?q=a&q=b", 400, "INVALID_PARAMETER", "q");
    assertError("/api/v1/search?mediaType=text%2Fplain", 400, "INVALID_PARAMETER", "mediaType");
    assertError("/api/v1/search?architecture=", 400, "INVALID_PARAMETER", "architecture");
    assertError("/api/v1/search?tag=latest", 400, "INVALID_PARAMETER", "tag");
    assertError("/api/v1/search?q=%zz", 400, "INVALID_PARAMETER", "q");
    assertError("/api/v1/search?q=%FF", 400, "INVALID_PARAMETER", "q");
    assertError("/api/v1/search?q=%00", 400, "INVALID_PARAMETER", "q");
    assertError("/api/v1/search?architecture=%00", 400, "INVALID_PARAMETER", "architecture");
    assertError("/api/v1/search?label", 400, "INVALID_PARAMETER", "label");
    assertError("/api/v1/search?" + "os=x&".repeat(65), 400, "INVALID_PARAMETER", "");
    assertThat(flagstate.rawGet("/api/v1/nothing").status()).isEqualTo(404);
  }

  @Test
  void everyEndpointAnswers304ToItsEtagAndKeepsCacheControlAndLink() {
    for (String path :
        List.of(
            "/api/v1/repositories?limit=2",
            "/api/v1/search?q=hello",
            "/api/v1/repositories/flatpak/hello",
            "/api/v1/digests/" + hello.digest())) {
      HttpResponse<byte[]> first = get(path);
      String etag = first.headers().firstValue("ETag").orElseThrow();
      assertThat(etag).matches("\"[A-Za-z0-9_-]+\"");
      HttpResponse<byte[]> again = get(path, "If-None-Match", etag);
      assertThat(again.statusCode()).as(path).isEqualTo(304);
      assertThat(again.body()).isEmpty();
      assertThat(again.headers().firstValue("ETag")).contains(etag);
      assertThat(again.headers().firstValue("Cache-Control")).contains("no-cache");
      assertThat(again.headers().firstValue("Link")).isEqualTo(first.headers().firstValue("Link"));
      assertThat(get(path, "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
      String lastModified = first.headers().firstValue("Last-Modified").orElseThrow();
      assertThat(get(path, "If-Modified-Since", lastModified).statusCode()).isEqualTo(304);
    }
    assertThat(get("/api/v1/repositories?limit=2").headers().firstValue("Link")).isPresent();
  }

  @Test
  void equalRequestsInAnyParameterOrderGiveEqualBytesAndEtags() {
    HttpResponse<byte[]> one =
        get("/api/v1/search?os=linux&q=hello&architecture=amd64&architecture=arm64");
    HttpResponse<byte[]> two =
        get("/api/v1/search?architecture=arm64&architecture=amd64&q=hello&os=linux");
    assertThat(two.body()).isEqualTo(one.body());
    assertThat(two.headers().firstValue("ETag")).isEqualTo(one.headers().firstValue("ETag"));
  }

  @Test
  void gzipAndHeadWorkAsOnTheIndex() throws IOException {
    String path = "/api/v1/repositories?limit=3";
    HttpResponse<byte[]> identity = get(path);
    HttpResponse<byte[]> gzip = get(path, "Accept-Encoding", "gzip");
    assertThat(gzip.headers().firstValue("Content-Encoding")).contains("gzip");
    assertThat(gzip.headers().firstValue("Vary")).contains("Accept-Encoding");
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip.body()))) {
      assertThat(in.readAllBytes()).isEqualTo(identity.body());
    }
    assertThat(gzip.headers().firstValue("Link"))
        .isEqualTo(identity.headers().firstValue("Link"))
        .isPresent();
    String gzipEtag = gzip.headers().firstValue("ETag").orElseThrow();
    assertThat(get(path, "Accept-Encoding", "gzip", "If-None-Match", gzipEtag).statusCode())
        .isEqualTo(304);
    HttpResponse<byte[]> head = flagstate.request("HEAD", path);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("ETag")).isEqualTo(identity.headers().firstValue("ETag"));
    assertThat(head.headers().firstValue("Content-Length"))
        .contains(Integer.toString(identity.body().length));
    assertThat(head.headers().firstValue("Link")).isEqualTo(identity.headers().firstValue("Link"));
    assertThat(flagstate.request("HEAD", "/api/v1/repositories/flatpak/hello").statusCode())
        .isEqualTo(200);
    assertThat(flagstate.request("HEAD", "/api/v1/repositories/no/such").statusCode())
        .isEqualTo(404);
  }

  /** Not an assertion on the API: records the existing endpoints' exchanges for docs/api.md. */
  @Test
  void recordsTheIndexStatusAndHealthExamplesForTheDocs() {
    String flatpak =
        "/index/static?label%3Aorg.flatpak.ref%3Aexists=1&architecture=amd64&os=linux&tag=latest";
    HttpResponse<byte[]> index = get(flatpak);
    assertThat(index.statusCode()).isEqualTo(200);
    record("index-static", flatpak, index);
    record(
        "index-dynamic",
        "/index/dynamic?repository=multi/docker",
        get("/index/dynamic?repository=multi/docker"));
    record(
        "index-304",
        flatpak + " (If-None-Match)",
        get(flatpak, "If-None-Match", index.headers().firstValue("ETag").orElseThrow()));
    record(
        "index-400",
        "/index/static?label%3Aorg.flatpak.ref%3Aexists=2",
        get("/index/static?label%3Aorg.flatpak.ref%3Aexists=2"));
    record("status", "/status", get("/status"));
    record("health", "/health", get("/health"));
  }
}
