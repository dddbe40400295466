package org.flagstate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the crawler keeps from manifests and config blobs. */
class ManifestParserTest {

  private static final String DIGEST = "sha256:" + "a".repeat(64);
  private static final String CONFIG_DIGEST = "sha256:" + "c".repeat(64);
  private static final String LAYER_DIGEST = "sha256:" + "d".repeat(64);
  private static final String AMD64 = "sha256:" + "1".repeat(64);
  private static final String ARM64 = "sha256:" + "2".repeat(64);
  private static final String PPC = "sha256:" + "3".repeat(64);

  private static ParsedManifest parse(String contentType, String json) {
    return ManifestParser.parse(
        new RegistryClient.Manifest(DIGEST, contentType, Buffer.buffer(json)));
  }

  private static String imageManifest(String mediaType, String configMediaType, String extra) {
    return """
        {"schemaVersion": 2, "mediaType": "%s",
         "config": {"mediaType": "%s", "digest": "%s", "size": 100},
         "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "%s", "size": 5}]%s}
        """
        .formatted(mediaType, configMediaType, CONFIG_DIGEST, LAYER_DIGEST, extra);
  }

  private static String list(String mediaType, String memberType) {
    return """
        {"schemaVersion": 2, "mediaType": "%1$s",
         "manifests": [
           {"mediaType": "%2$s", "digest": "%3$s", "size": 1,
            "platform": {"os": "linux", "architecture": "ppc64le"}},
           {"mediaType": "%2$s", "digest": "%4$s", "size": 1,
            "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
           {"mediaType": "%2$s", "digest": "%5$s", "size": 1,
            "platform": {"os": "linux", "architecture": "amd64"}}]}
        """
        .formatted(mediaType, memberType, PPC, ARM64, AMD64);
  }

  // --- image manifests ---

  @Test
  void ociImageManifestIsAnImageWithItsConfigDigest() {
    String json =
        imageManifest(
            MediaTypes.OCI_MANIFEST,
            MediaTypes.OCI_CONFIG,
            ", \"annotations\": {\"org.opencontainers.image.title\": \"hello\"}");

    ParsedManifest parsed = parse(MediaTypes.OCI_MANIFEST, json);

    assertThat(parsed)
        .isEqualTo(
            new ParsedManifest.Image(
                DIGEST,
                MediaTypes.OCI_MANIFEST,
                json.length(),
                CONFIG_DIGEST,
                Map.of("org.opencontainers.image.title", "hello"),
                100L,
                5L));
  }

  @Test
  void dockerSchema2ManifestIsAnImage() {
    String json = imageManifest(MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_CONFIG, "");

    ParsedManifest parsed = parse(MediaTypes.DOCKER_MANIFEST, json);

    assertThat(parsed)
        .isEqualTo(
            new ParsedManifest.Image(
                DIGEST,
                MediaTypes.DOCKER_MANIFEST,
                json.length(),
                CONFIG_DIGEST,
                Map.of(),
                100L,
                5L));
  }

  @Test
  void configAndLayerSizesAreNullWhenTheManifestDoesNotDeclareThem() {
    String json =
        imageManifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, "")
            .replace("\"size\": 100", "\"size\": \"big\"")
            .replace(", \"size\": 5", "");

    ParsedManifest.Image parsed = (ParsedManifest.Image) parse(MediaTypes.OCI_MANIFEST, json);

    assertThat(parsed.configSize()).isNull();
    assertThat(parsed.layersSize()).isNull();
  }

  @Test
  void mediaTypeFromTheContentTypeIsUsedWhenTheBodyHasNone() {
    String json =
        imageManifest(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, "")
            .replace("\"mediaType\": \"" + MediaTypes.OCI_MANIFEST + "\",", "");

    ParsedManifest parsed = parse(MediaTypes.OCI_MANIFEST, json);

    assertThat(parsed).isInstanceOf(ParsedManifest.Image.class);
    assertThat(((ParsedManifest.Image) parsed).mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
  }

  @Test
  void nonStringManifestAnnotationsAreLeftOut() {
    String json =
        imageManifest(
            MediaTypes.OCI_MANIFEST,
            MediaTypes.OCI_CONFIG,
            ", \"annotations\": {\"a\": \"x\", \"n\": 1, \"o\": {}}");

    ParsedManifest.Image parsed = (ParsedManifest.Image) parse(MediaTypes.OCI_MANIFEST, json);

    assertThat(parsed.annotations()).containsExactly(Map.entry("a", "x"));
  }

  // --- lists ---

  @Test
  void ociIndexIsAListWithMembersInManifestOrder() {
    ParsedManifest parsed =
        parse(MediaTypes.OCI_INDEX, list(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST));

    assertThat(parsed).isInstanceOf(ParsedManifest.ImageList.class);
    ParsedManifest.ImageList list = (ParsedManifest.ImageList) parsed;
    assertThat(list.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(list.members())
        .containsExactly(
            new ParsedManifest.Member(PPC, MediaTypes.OCI_MANIFEST, "linux", "ppc64le", null),
            new ParsedManifest.Member(ARM64, MediaTypes.OCI_MANIFEST, "linux", "arm64", "v8"),
            new ParsedManifest.Member(AMD64, MediaTypes.OCI_MANIFEST, "linux", "amd64", null));
  }

  @Test
  void dockerManifestListIsAListWithMembersInManifestOrder() {
    ParsedManifest parsed =
        parse(MediaTypes.DOCKER_LIST, list(MediaTypes.DOCKER_LIST, MediaTypes.DOCKER_MANIFEST));

    assertThat(parsed).isInstanceOf(ParsedManifest.ImageList.class);
    ParsedManifest.ImageList list = (ParsedManifest.ImageList) parsed;
    assertThat(list.mediaType()).isEqualTo(MediaTypes.DOCKER_LIST);
    assertThat(list.members())
        .extracting(ParsedManifest.Member::digest)
        .containsExactly(PPC, ARM64, AMD64);
    assertThat(list.members())
        .extracting(ParsedManifest.Member::architecture)
        .containsExactly("ppc64le", "arm64", "amd64");
  }

  @Test
  void listMemberWithoutPlatformHasNoOsOrArchitecture() {
    String json =
        """
        {"schemaVersion": 2, "mediaType": "%s",
         "manifests": [{"mediaType": "%s", "digest": "%s", "size": 1}]}
        """
            .formatted(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, AMD64);

    ParsedManifest.ImageList list = (ParsedManifest.ImageList) parse(MediaTypes.OCI_INDEX, json);

    assertThat(list.members())
        .containsExactly(
            new ParsedManifest.Member(AMD64, MediaTypes.OCI_MANIFEST, null, null, null));
  }

  // --- unsupported ---

  @Test
  void manifestWithArtifactTypeIsUnsupported() {
    String json =
        imageManifest(
            MediaTypes.OCI_MANIFEST,
            MediaTypes.OCI_CONFIG,
            ", \"artifactType\": \"application/vnd.example.sbom\"");

    ParsedManifest parsed = parse(MediaTypes.OCI_MANIFEST, json);

    assertThat(parsed).isInstanceOf(ParsedManifest.Unsupported.class);
    assertThat(((ParsedManifest.Unsupported) parsed).reason())
        .contains("application/vnd.example.sbom");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/vnd.cncf.helm.config.v1+json",
        "application/vnd.oci.empty.v1+json",
        "application/vnd.dev.cosign.artifact.sig.v1+json"
      })
  void manifestWithNonImageConfigIsUnsupported(String configMediaType) {
    ParsedManifest parsed =
        parse(MediaTypes.OCI_MANIFEST, imageManifest(MediaTypes.OCI_MANIFEST, configMediaType, ""));

    assertThat(parsed).isInstanceOf(ParsedManifest.Unsupported.class);
    assertThat(((ParsedManifest.Unsupported) parsed).reason()).contains(configMediaType);
  }

  @Test
  void manifestWithoutConfigIsUnsupported() {
    ParsedManifest parsed =
        parse(
            MediaTypes.OCI_MANIFEST,
            "{\"schemaVersion\": 2, \"mediaType\": \""
                + MediaTypes.OCI_MANIFEST
                + "\", \"layers\": []}");

    assertThat(parsed).isInstanceOf(ParsedManifest.Unsupported.class);
  }

  @Test
  void schema1ManifestIsUnsupported() {
    String json =
        """
        {"schemaVersion": 1, "name": "library/hello", "tag": "latest", "architecture": "amd64",
         "fsLayers": [{"blobSum": "%s"}], "history": [{"v1Compatibility": "{}"}]}
        """
            .formatted(LAYER_DIGEST);

    ParsedManifest parsed =
        parse("application/vnd.docker.distribution.manifest.v1+prettyjws", json);

    assertThat(parsed).isEqualTo(new ParsedManifest.Unsupported(DIGEST, "Docker schema1 manifest"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "{\"schemaVersion\": 2,", "[]", "\"text\"", "42", ""})
  void contentThatIsNotAJsonObjectIsUnsupported(String body) {
    ParsedManifest parsed = parse(MediaTypes.OCI_MANIFEST, body);

    assertThat(parsed).isInstanceOf(ParsedManifest.Unsupported.class);
    assertThat(parsed.digest()).isEqualTo(DIGEST);
  }

  @Test
  void unknownMediaTypeIsUnsupported() {
    ParsedManifest parsed = parse("application/octet-stream", "{\"schemaVersion\": 2}");

    assertThat(parsed).isInstanceOf(ParsedManifest.Unsupported.class);
    assertThat(((ParsedManifest.Unsupported) parsed).reason()).contains("application/octet-stream");
  }

  // --- config blobs ---

  @Test
  void configBlobGivesPlatformAndCreated() {
    ImageConfig config =
        ManifestParser.parseConfig(
            Buffer.buffer(
                """
        {"created": "2024-01-02T03:04:05Z", "architecture": "arm64", "variant": "v8", "os": "linux",
         "config": {"Labels": {"org.flatpak.ref": "app/org.test.Hello/aarch64/master"}}}
        """));

    assertThat(config.os()).isEqualTo("linux");
    assertThat(config.architecture()).isEqualTo("arm64");
    assertThat(config.variant()).isEqualTo("v8");
    assertThat(config.created()).isEqualTo("2024-01-02T03:04:05Z");
  }

  @Test
  void configBlobKeepsStringLabels() {
    ImageConfig config =
        ManifestParser.parseConfig(
            Buffer.buffer(
                """
        {"os": "linux", "architecture": "amd64",
         "config": {"Labels": {"org.flatpak.ref": "app/x", "empty": ""}}}
        """));

    assertThat(config.labels())
        .containsOnly(Map.entry("org.flatpak.ref", "app/x"), Map.entry("empty", ""));
    assertThat(config.ignoredLabels()).isEmpty();
  }

  @Test
  void nonStringLabelValuesAreLeftOutAndNamed() {
    ImageConfig config =
        ManifestParser.parseConfig(
            Buffer.buffer(
                """
        {"os": "linux", "architecture": "amd64",
         "config": {"Labels": {"ok": "yes", "number": 1, "flag": true, "nested": {"a": "b"}, "list": ["x"],
                               "nothing": null}}}
        """));

    assertThat(config.labels()).containsOnly(Map.entry("ok", "yes"));
    assertThat(config.ignoredLabels())
        .containsExactlyInAnyOrder("number", "flag", "nested", "list", "nothing");
  }

  @Test
  void labelsWithANulCharacterAreLeftOutAndNamed() {
    ImageConfig config =
        ManifestParser.parseConfig(
            Buffer.buffer(
                """
        {"os": "linux", "architecture": "amd64",
         "config": {"Labels": {"ok": "yes", "value": "a\\u0000b", "k\\u0000ey": "v"}}}
        """));

    assertThat(config.labels()).containsOnly(Map.entry("ok", "yes"));
    assertThat(config.ignoredLabels()).containsExactlyInAnyOrder("value", "k\\u0000ey");
  }

  @Test
  void aNulCharacterInThePlatformMakesTheConfigUnusable() {
    assertThatThrownBy(
            () ->
                ManifestParser.parseConfig(
                    Buffer.buffer(
                        """
        {"os": "linux", "architecture": "amd\\u000064", "config": {}}""")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'architecture'")
        .hasMessageContaining("NUL");
  }

  @Test
  void aNulCharacterInAManifestFieldTheIndexStoresMakesItUnsupported() {
    String json =
        imageManifest(
            MediaTypes.OCI_MANIFEST,
            MediaTypes.OCI_CONFIG,
            ", \"annotations\": {\"ok\": \"yes\", \"bad\": \"x\\u0000\"}");
    ParsedManifest.Image image = (ParsedManifest.Image) parse(MediaTypes.OCI_MANIFEST, json);
    assertThat(image.annotations()).containsOnly(Map.entry("ok", "yes"));

    String badDigest = json.replaceFirst("\"digest\": \"sha256:", "\"digest\": \"sha256:\\\\u0000");
    assertThat(parse(MediaTypes.OCI_MANIFEST, badDigest))
        .isInstanceOf(ParsedManifest.Unsupported.class);
  }

  @Test
  void nullLabelsGiveNoLabels() {
    ImageConfig config =
        ManifestParser.parseConfig(
            Buffer.buffer(
                """
        {"os": "linux", "architecture": "amd64", "config": {"Labels": null}}
        """));

    assertThat(config.labels()).isEmpty();
    assertThat(config.ignoredLabels()).isEmpty();
  }

  @Test
  void configWithoutConfigSectionGivesNoLabels() {
    ImageConfig config =
        ManifestParser.parseConfig(
            Buffer.buffer("{\"os\": \"linux\", \"architecture\": \"amd64\"}"));

    assertThat(config.labels()).isEmpty();
    assertThat(config.os()).isEqualTo("linux");
  }

  @Test
  void missingOrEmptyPlatformFieldsAreNull() {
    ImageConfig config =
        ManifestParser.parseConfig(Buffer.buffer("{\"os\": \"\", \"architecture\": 64}"));

    assertThat(config.os()).isNull();
    assertThat(config.architecture()).isNull();
    assertThat(config.variant()).isNull();
    assertThat(config.created()).isNull();
  }

  @Test
  void configBlobThatIsNotAJsonObjectIsRefused() {
    assertThatThrownBy(() -> ManifestParser.parseConfig(Buffer.buffer("[1, 2]")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
