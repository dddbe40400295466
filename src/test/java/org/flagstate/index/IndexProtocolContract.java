package org.flagstate.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.flagstate.testsupport.FlagstateEnvironment;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.IndexFormat;
import org.flagstate.testsupport.IndexMember;
import org.flagstate.testsupport.PushedImage;
import org.flagstate.testsupport.PushedIndex;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One test per rule of index-protocol.md §1, against a real docker-registry holding every kind of
 * content the crawler meets, crawled by a real Flagstate. Subclasses register {@link
 * #environment()} with the database mode they test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IndexProtocolContract {

  static final String FLATPAK_QUERY =
      "/index/static?label%3Aorg.flatpak.ref%3Aexists=1&architecture=amd64&os=linux&tag=latest";
  static final String REF = "org.flatpak.ref";

  RegistryProcess registry;
  RegistryPusher pusher;
  FlagstateInstance flagstate;

  PushedImage hello;
  PushedImage helloArm;
  PushedImage plain;
  PushedIndex ociIndex;
  PushedIndex dockerList;
  PushedIndex fallbackList;
  PushedIndex nestedList;

  /**
   * The environment of every subclass, which adds the database mode under test and registers it.
   */
  static FlagstateEnvironment.Builder environment() {
    return FlagstateEnvironment.builder()
        .seed(IndexProtocolContract::push)
        .setting("cache.static_max_age", "1h");
  }

  void push(FlagstateEnvironment environment) {
    registry = environment.registry();
    pusher = environment.pusher();
    ImageSpec helloSpec =
        ImageSpec.oci()
            .withLabel(REF, "app/org.test.Hello/x86_64/master")
            .withLabel("org.opencontainers.image.description", "Says hello")
            .withAnnotation("org.opencontainers.image.title", "Hello");
    hello = pusher.pushImage("flatpak/hello", "latest", helloSpec);
    pusher.tagExisting("flatpak/hello", "v1", hello.digest());
    helloArm =
        pusher.pushImage(
            "flatpak/hello",
            "arm",
            ImageSpec.oci()
                .withPlatform("linux", "arm64", "v8")
                .withLabel(REF, "app/org.test.Hello/aarch64/master"));
    pusher.pushArtifact("flatpak/hello", "sbom");
    assertThat(pusher.pushImage("shared/copy", "other", helloSpec).digest())
        .isEqualTo(hello.digest());
    plain =
        pusher.pushImage(
            "docker/plain", "latest", ImageSpec.dockerSchema2().withLabel("maintainer", "someone"));
    ociIndex =
        pusher.pushMultiArch(
            "multi/oci",
            "latest",
            IndexFormat.OCI_INDEX,
            List.of(
                ImageSpec.oci()
                    .withPlatform("linux", "amd64", null)
                    .withLabel(REF, "app/org.test.Multi/x86_64/master")
                    .withSeed("oci-amd64"),
                ImageSpec.oci()
                    .withPlatform("linux", "arm64", "v8")
                    .withLabel(REF, "app/org.test.Multi/aarch64/master")
                    .withSeed("oci-arm64"),
                ImageSpec.oci()
                    .withPlatform("linux", "ppc64le", null)
                    .withLabel(REF, "app/org.test.Multi/ppc64le/master")
                    .withSeed("oci-ppc64le")));
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
    PushedImage bare =
        pusher.pushImage(
            "multi/fallback",
            null,
            ImageSpec.oci().withPlatform("", "", null).withLabel("kind", "bare").withSeed("bare"));
    fallbackList =
        pusher.pushIndex(
            "multi/fallback",
            "latest",
            IndexFormat.OCI_INDEX,
            List.of(
                new IndexMember(
                    bare.digest(), bare.mediaType(), bare.size(), "linux", "riscv64", null)));
    pusher.pushImage(
        "weird/labels",
        "latest",
        ImageSpec.oci()
            .withLabel("count", 3)
            .withLabel("ok", "yes")
            .withLabel("nul", "a\0b")
            .withLabel("n\0ul", "v")
            .withAnnotation("note", "x\0y")
            .withSeed("weird"));
    pusher.pushImage(
        "weird/nul", "bad", ImageSpec.oci().withArchitecture("amd\0" + "64").withSeed("nul-arch"));
    pusher.pushImage("weird/nul", "good", ImageSpec.oci().withSeed("nul-good"));
    pusher.pushArtifact("weird/artifact", "sbom");
    PushedImage nestedImage =
        pusher.pushImage(
            "weird/nested",
            null,
            ImageSpec.oci().withPlatform("linux", "amd64", null).withSeed("nested-image"));
    PushedIndex inner =
        pusher.pushIndex(
            "weird/nested",
            null,
            IndexFormat.OCI_INDEX,
            List.of(
                IndexMember.of(
                    pusher.pushImage(
                        "weird/nested",
                        null,
                        ImageSpec.oci()
                            .withPlatform("linux", "arm64", null)
                            .withSeed("nested-inner")))));
    nestedList =
        pusher.pushIndex(
            "weird/nested",
            "latest",
            IndexFormat.OCI_INDEX,
            List.of(
                IndexMember.of(nestedImage),
                new IndexMember(
                    inner.digest(), inner.mediaType(), inner.size(), "linux", "arm64", null)));
    PushedImage noConfig =
        pusher.pushImage("weird/noblob", "latest", ImageSpec.oci().withSeed("no-config-blob"));
    pusher.deleteBlob("weird/noblob", noConfig.configDigest());
  }

  @BeforeAll
  void start(FlagstateInstance flagstate) {
    this.flagstate = flagstate;
  }

  JsonObject index(String query) {
    HttpResponse<byte[]> response = flagstate.get("/index/static" + query);
    assertThat(response.statusCode()).as("status of %s: %s", query, text(response)).isEqualTo(200);
    return new JsonObject(text(response));
  }

  static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  static List<String> names(JsonObject index) {
    return index.getJsonArray("Results").stream()
        .map(r -> ((JsonObject) r).getString("Name"))
        .toList();
  }

  static JsonObject result(JsonObject index, String name) {
    return index.getJsonArray("Results").stream()
        .map(JsonObject.class::cast)
        .filter(r -> r.getString("Name").equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in " + index.encode()));
  }

  static List<String> digests(JsonArray images) {
    return images.stream().map(i -> ((JsonObject) i).getString("Digest")).toList();
  }

  @Test
  void registryIsAlwaysPresentAndResultsIsAnEmptyArrayWhenNothingMatches() {
    JsonObject index = index("?repository=no/such");
    assertThat(index.getString("Registry")).isEqualTo(registry.baseUrl() + "/");
    assertThat(index.getJsonArray("Results")).isEmpty();
  }

  @Test
  void everyRepositoryWithIndexableContentIsListedInBytewiseOrderWithImagesAndLists() {
    JsonObject index = index("");
    assertThat(names(index))
        .containsExactly(
            "docker/plain",
            "flatpak/hello",
            "multi/docker",
            "multi/fallback",
            "multi/oci",
            "shared/copy",
            "weird/labels",
            "weird/nested",
            "weird/nul");
    for (Object result : index.getJsonArray("Results")) {
      assertThat(((JsonObject) result).getJsonArray("Images")).isNotNull();
      assertThat(((JsonObject) result).getJsonArray("Lists")).isNotNull();
    }
  }

  @Test
  void theExactFlatpakQueryFindsAmd64AppsTaggedLatestIncludingListMembers() {
    JsonObject index = index(FLATPAK_QUERY.substring("/index/static".length()));
    assertThat(names(index)).containsExactly("flatpak/hello", "multi/oci");
    JsonObject hello = result(index, "flatpak/hello");
    assertThat(digests(hello.getJsonArray("Images"))).containsExactly(this.hello.digest());
    JsonObject list = result(index, "multi/oci").getJsonArray("Lists").getJsonObject(0);
    assertThat(digests(list.getJsonArray("Images")))
        .containsExactly(ociIndex.members().get(0).digest());
  }

  @Test
  void repositoryMatchesExactly() {
    assertThat(names(index("?repository=flatpak/hello"))).containsExactly("flatpak/hello");
    assertThat(names(index("?repository=flatpak"))).isEmpty();
    assertThat(names(index("?repository=flatpak/hello&repository=docker/plain")))
        .containsExactly("docker/plain", "flatpak/hello");
  }

  @Test
  void anImageCarriesAllItsTagsInItsRepositoryEvenWhenOneTagWasAskedFor() {
    JsonObject image =
        result(index("?tag=v1"), "flatpak/hello").getJsonArray("Images").getJsonObject(0);
    assertThat(image.getString("Digest")).isEqualTo(hello.digest());
    assertThat(image.getJsonArray("Tags")).containsExactly("latest", "v1");
  }

  @Test
  void tagsOfTheSameDigestInAnotherRepositoryDoNotLeakIn() {
    JsonObject index = index("?tag=other");
    assertThat(names(index)).containsExactly("shared/copy");
    assertThat(
            result(index, "shared/copy")
                .getJsonArray("Images")
                .getJsonObject(0)
                .getJsonArray("Tags"))
        .containsExactly("other");
    assertThat(
            result(index(""), "flatpak/hello").getJsonArray("Images").stream()
                .flatMap(i -> ((JsonObject) i).getJsonArray("Tags").stream()))
        .doesNotContain("other");
  }

  @Test
  void tagMatchesListsTaggedWithItAndReturnsTheirMembersWithoutTags() {
    JsonObject index = index("?tag=stable");
    assertThat(names(index)).containsExactly("multi/docker");
    JsonObject list = result(index, "multi/docker").getJsonArray("Lists").getJsonObject(0);
    assertThat(list.getString("Digest")).isEqualTo(dockerList.digest());
    assertThat(list.getString("MediaType"))
        .isEqualTo("application/vnd.docker.distribution.manifest.list.v2+json");
    assertThat(list.getJsonArray("Tags")).containsExactly("stable");
    assertThat(digests(list.getJsonArray("Images")))
        .containsExactly(
            dockerList.members().get(0).digest(), dockerList.members().get(1).digest());
    for (Object member : list.getJsonArray("Images")) {
      assertThat(((JsonObject) member).containsKey("Tags")).isFalse();
      assertThat(((JsonObject) member).getString("MediaType"))
          .isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
    }
    assertThat(result(index, "multi/docker").getJsonArray("Images")).isEmpty();
  }

  @Test
  void architectureFilterKeepsOnlyMatchingListMembersInManifestOrder() {
    JsonObject list =
        result(index("?repository=multi/oci&architecture=arm64"), "multi/oci")
            .getJsonArray("Lists")
            .getJsonObject(0);
    assertThat(digests(list.getJsonArray("Images")))
        .containsExactly(ociIndex.members().get(1).digest());
    JsonObject all =
        result(index("?repository=multi/oci"), "multi/oci").getJsonArray("Lists").getJsonObject(0);
    assertThat(digests(all.getJsonArray("Images")))
        .containsExactlyElementsOf(ociIndex.members().stream().map(IndexMember::digest).toList());
    JsonObject two =
        result(index("?repository=multi/oci&architecture=ppc64le&architecture=amd64"), "multi/oci")
            .getJsonArray("Lists")
            .getJsonObject(0);
    assertThat(digests(two.getJsonArray("Images")))
        .containsExactly(ociIndex.members().get(0).digest(), ociIndex.members().get(2).digest());
  }

  @Test
  void aListWithNoMatchingMemberIsLeftOut() {
    assertThat(names(index("?repository=multi/oci&architecture=s390x"))).isEmpty();
    assertThat(names(index("?architecture=s390x"))).containsExactly("multi/docker");
  }

  @Test
  void osAndArchitectureComeFromTheListPlatformWhenTheConfigLacksThem() {
    JsonObject list =
        result(index("?architecture=riscv64&os=linux"), "multi/fallback")
            .getJsonArray("Lists")
            .getJsonObject(0);
    JsonObject member = list.getJsonArray("Images").getJsonObject(0);
    assertThat(member.getString("OS")).isEqualTo("linux");
    assertThat(member.getString("Architecture")).isEqualTo("riscv64");
  }

  @Test
  void osFilterMatchesTheImageConfig() {
    assertThat(names(index("?os=windows"))).isEmpty();
    assertThat(names(index("?os=linux&repository=docker/plain"))).containsExactly("docker/plain");
  }

  @Test
  void labelExistsAndLabelValueFilter() {
    assertThat(names(index("?label:maintainer:exists=1"))).containsExactly("docker/plain");
    assertThat(names(index("?label:org.flatpak.ref=app/org.test.Hello/aarch64/master")))
        .containsExactly("flatpak/hello");
    JsonObject hello =
        result(index("?label:org.flatpak.ref=app/org.test.Hello/aarch64/master"), "flatpak/hello");
    assertThat(digests(hello.getJsonArray("Images"))).containsExactly(helloArm.digest());
  }

  @Test
  void sameKeyRepeatedIsOrDifferentKeysAreAnd() {
    String or =
        "?label:org.flatpak.ref=app/org.test.Hello/aarch64/master&label:org.flatpak.ref=app/org.test.Hello/x86_64/master";
    assertThat(digests(result(index(or), "flatpak/hello").getJsonArray("Images")))
        .containsExactlyInAnyOrder(hello.digest(), helloArm.digest());
    String and = or + "&architecture=arm64";
    assertThat(digests(result(index(and), "flatpak/hello").getJsonArray("Images")))
        .containsExactly(helloArm.digest());
    assertThat(names(index("?label:maintainer:exists=1&label:org.flatpak.ref:exists=1"))).isEmpty();
  }

  @Test
  void annotationFilter() {
    assertThat(names(index("?annotation:org.opencontainers.image.title=Hello")))
        .containsExactly("flatpak/hello", "shared/copy");
    assertThat(
            names(
                index(
                    "?annotation:org.opencontainers.image.title:exists=1&repository=shared/copy")))
        .containsExactly("shared/copy");
    assertThat(names(index("?annotation:org.opencontainers.image.title=Bye"))).isEmpty();
  }

  @Test
  void imageObjectsCarryDigestMediaTypePlatformLabelsAndAnnotationsAsStrings() {
    JsonObject image =
        result(index("?tag=latest&repository=flatpak/hello"), "flatpak/hello")
            .getJsonArray("Images")
            .getJsonObject(0);
    assertThat(image.fieldNames())
        .containsExactly(
            "Digest", "MediaType", "OS", "Architecture", "Annotations", "Labels", "Tags");
    assertThat(image.getString("MediaType"))
        .isEqualTo("application/vnd.oci.image.manifest.v1+json");
    assertThat(image.getString("OS")).isEqualTo("linux");
    assertThat(image.getString("Architecture")).isEqualTo("amd64");
    assertThat(image.getJsonObject("Labels").getMap())
        .containsEntry(REF, "app/org.test.Hello/x86_64/master")
        .containsEntry("org.opencontainers.image.description", "Says hello");
    assertThat(image.getJsonObject("Annotations").getMap())
        .containsEntry("org.opencontainers.image.title", "Hello");
    JsonObject docker =
        result(index("?repository=docker/plain"), "docker/plain")
            .getJsonArray("Images")
            .getJsonObject(0);
    assertThat(docker.getString("MediaType"))
        .isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
    assertThat(docker.containsKey("Annotations")).isFalse();
  }

  @Test
  void aNonStringLabelIsLeftOutAndTheImageKeepsItsOtherLabels() {
    JsonObject image =
        result(index("?repository=weird/labels"), "weird/labels")
            .getJsonArray("Images")
            .getJsonObject(0);
    assertThat(image.getJsonObject("Labels").getMap())
        .as("NUL characters left out too")
        .containsOnlyKeys("ok");
    assertThat(image.containsKey("Annotations"))
        .as("the only annotation held a NUL character")
        .isFalse();
  }

  @Test
  void anImageWithANulCharacterInItsPlatformIsSkippedAndTheRestOfTheRepositoryIsIndexed() {
    JsonArray images = result(index("?repository=weird/nul"), "weird/nul").getJsonArray("Images");
    assertThat(images).hasSize(1);
    assertThat(images.getJsonObject(0).getJsonArray("Tags")).containsExactly("good");
  }

  @Test
  void aNestedIndexInsideAListIsSkippedAndTheListKeepsItsImageMembers() {
    JsonObject list =
        result(index("?repository=weird/nested"), "weird/nested")
            .getJsonArray("Lists")
            .getJsonObject(0);
    assertThat(list.getString("Digest")).isEqualTo(nestedList.digest());
    assertThat(digests(list.getJsonArray("Images")))
        .containsExactly(nestedList.members().get(0).digest());
  }

  @Test
  void anImageWhoseConfigBlobIsGoneIsSkipped() {
    assertThat(names(index("?repository=weird/noblob"))).isEmpty();
  }

  @Test
  void artifactsAreSkippedWithoutAbortingTheRestOfTheRepository() {
    assertThat(names(index(""))).doesNotContain("weird/artifact");
    JsonObject hello = result(index("?repository=flatpak/hello"), "flatpak/hello");
    assertThat(
            hello.getJsonArray("Images").stream()
                .flatMap(i -> ((JsonObject) i).getJsonArray("Tags").stream()))
        .containsExactlyInAnyOrder("arm", "latest", "v1");
  }

  @Test
  void equalQueriesGiveByteIdenticalBodiesAndEqualEtagsWhateverTheParameterOrder() {
    HttpResponse<byte[]> first =
        flagstate.get("/index/static?tag=latest&os=linux&label%3Aorg.flatpak.ref%3Aexists=1");
    HttpResponse<byte[]> second =
        flagstate.get("/index/dynamic?label:org.flatpak.ref:exists=1&os=linux&tag=latest");
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(second.headers().firstValue("ETag")).isEqualTo(first.headers().firstValue("ETag"));
  }

  @Test
  void ifNoneMatchGives304WithTheSameEtagAndCacheControl() {
    HttpResponse<byte[]> first = flagstate.get(FLATPAK_QUERY);
    String etag = first.headers().firstValue("ETag").orElseThrow();
    assertThat(etag).matches("\"[A-Za-z0-9_-]+\"");
    HttpResponse<byte[]> again = flagstate.get(FLATPAK_QUERY, "If-None-Match", etag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    assertThat(again.headers().firstValue("ETag")).contains(etag);
    assertThat(again.headers().firstValue("Cache-Control")).contains("public, max-age=3600");
    assertThat(flagstate.get(FLATPAK_QUERY, "If-None-Match", "\"other\", " + etag).statusCode())
        .isEqualTo(304);
    assertThat(flagstate.get(FLATPAK_QUERY, "If-None-Match", "*").statusCode()).isEqualTo(304);
    assertThat(flagstate.get(FLATPAK_QUERY, "If-None-Match", "\"other\"").statusCode())
        .isEqualTo(200);
  }

  @Test
  void ifModifiedSinceIsHonoured() {
    HttpResponse<byte[]> first = flagstate.get(FLATPAK_QUERY);
    String lastModified = first.headers().firstValue("Last-Modified").orElseThrow();
    assertThat(flagstate.get(FLATPAK_QUERY, "If-Modified-Since", lastModified).statusCode())
        .isEqualTo(304);
    assertThat(
            flagstate
                .get(FLATPAK_QUERY, "If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT")
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void gzipIsServedWithVaryAndDecompressesToTheIdentityBody() throws IOException {
    HttpResponse<byte[]> identity = flagstate.get(FLATPAK_QUERY);
    HttpResponse<byte[]> gzip = flagstate.get(FLATPAK_QUERY, "Accept-Encoding", "gzip");
    assertThat(gzip.headers().firstValue("Content-Encoding")).contains("gzip");
    assertThat(gzip.headers().firstValue("Vary")).contains("Accept-Encoding");
    assertThat(identity.headers().firstValue("Vary")).contains("Accept-Encoding");
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip.body()))) {
      assertThat(in.readAllBytes()).isEqualTo(identity.body());
    }
    String gzipEtag = gzip.headers().firstValue("ETag").orElseThrow();
    assertThat(gzipEtag).isNotEqualTo(identity.headers().firstValue("ETag").orElseThrow());
    HttpResponse<byte[]> notModified =
        flagstate.get(FLATPAK_QUERY, "Accept-Encoding", "gzip", "If-None-Match", gzipEtag);
    assertThat(notModified.statusCode()).isEqualTo(304);
    assertThat(notModified.headers().firstValue("ETag")).contains(gzipEtag);
    assertThat(notModified.headers().firstValue("Vary")).contains("Accept-Encoding");
  }

  @Test
  void headGivesTheHeadersOfGetWithoutABody() {
    HttpResponse<byte[]> get = flagstate.get(FLATPAK_QUERY);
    HttpResponse<byte[]> head = flagstate.request("HEAD", FLATPAK_QUERY);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("ETag")).isEqualTo(get.headers().firstValue("ETag"));
    assertThat(head.headers().firstValue("Content-Length"))
        .contains(Integer.toString(get.body().length));
    assertThat(flagstate.request("HEAD", "/index/dynamic").statusCode()).isEqualTo(200);
  }

  @Test
  void staticIsCacheableForMaxAgeAndDynamicIsNoCacheWithAnEtag() {
    HttpResponse<byte[]> dynamic = flagstate.get("/index/dynamic?tag=latest");
    assertThat(dynamic.headers().firstValue("Cache-Control")).contains("no-cache");
    assertThat(dynamic.headers().firstValue("ETag")).isPresent();
    assertThat(flagstate.get("/index/static?tag=latest").headers().firstValue("Cache-Control"))
        .contains("public, max-age=3600");
  }

  @Test
  void badParametersAreA400NamingTheParameter() {
    assertBadParameter("?label%3Aorg.flatpak.ref%3Aexists=2", "label:org.flatpak.ref:exists");
    assertBadParameter("?colour=red", "colour");
    assertBadParameter("?label:=x", "label:");
    assertBadParameter("?tag", "tag");
    assertBadParameter("?tag=%zz", "tag");
    assertBadParameter("?repository=%00", "repository");
    assertBadParameter("?label%3Aorg.flatpak.ref=a%00b", "label:org.flatpak.ref");
    assertBadParameter("?=x", "");
  }

  private void assertBadParameter(String query, String parameter) {
    FlagstateInstance.RawResponse response = flagstate.rawGet("/index/static" + query);
    assertThat(response.status()).as(query).isEqualTo(400);
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error.getString("parameter")).as(query).isEqualTo(parameter);
    assertThat(error.getString("message")).isNotBlank();
  }

  @Test
  void tooManyTermsIsA400() {
    String query = "?" + "tag=x&".repeat(65);
    assertThat(flagstate.get("/index/static" + query).statusCode()).isEqualTo(400);
  }
}
