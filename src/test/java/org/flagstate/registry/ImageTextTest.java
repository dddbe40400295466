package org.flagstate.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one precedence of a manifest's title, description and icon. */
class ImageTextTest {

  static final String PNG =
      "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk";
  static final String APPDATA =
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <component type="desktop-application">
        <id>org.test.Cafe</id>
        <name>Café</name>
        <name xml:lang="de">Kaffee</name>
        <summary>Brews coffee</summary>
        <description><p><name>not this</name></p></description>
      </component>""";

  @Test
  void titleKeysInOrderAnnotationsBeforeLabels() {
    Map<String, String> labels =
        Map.of("name", "ubi9", "io.k8s.display-name", "UBI 9", "org.label-schema.name", "schema");
    assertThat(ImageText.of(labels, Map.of()).title()).isEqualTo("schema");
    assertThat(ImageText.of(labels, Map.of("org.opencontainers.image.title", " OCI ")).title())
        .isEqualTo("OCI");
    assertThat(
            ImageText.of(Map.of("name", "ubi9", "io.k8s.display-name", "UBI 9"), Map.of()).title())
        .isEqualTo("UBI 9");
    assertThat(ImageText.of(Map.of("name", "ubi9"), Map.of()).title()).isEqualTo("ubi9");
    assertThat(
            ImageText.of(
                    Map.of("org.label-schema.name", "label"),
                    Map.of("org.label-schema.name", "annotation"))
                .title())
        .isEqualTo("annotation");
    assertThat(ImageText.of(Map.of("org.opencontainers.image.title", "  "), Map.of()).title())
        .isNull();
  }

  @Test
  void descriptionPutsDescriptionBeforeSummary() {
    assertThat(
            ImageText.of(Map.of("summary", "short", "description", "long"), Map.of()).description())
        .isEqualTo("long");
    assertThat(ImageText.of(Map.of("summary", "short"), Map.of()).description()).isEqualTo("short");
    assertThat(
            ImageText.of(Map.of("summary", "short", "io.k8s.description", "k8s"), Map.of())
                .description())
        .isEqualTo("k8s");
    assertThat(
            ImageText.of(
                    Map.of("io.k8s.description", "k8s", "org.label-schema.description", "schema"),
                    Map.of("org.opencontainers.image.description", "oci"))
                .description())
        .isEqualTo("oci");
  }

  @Test
  void appstreamFillsWhatLabelsLeaveOpen() {
    ImageText text = ImageText.of(Map.of("org.freedesktop.appstream.appdata", APPDATA), Map.of());
    assertThat(text.title()).isEqualTo("Café");
    assertThat(text.description()).isEqualTo("Brews coffee");
    ImageText labelled =
        ImageText.of(
            Map.of("org.freedesktop.appstream.appdata", APPDATA, "name", "cafe"), Map.of());
    assertThat(labelled.title()).isEqualTo("cafe");
    assertThat(labelled.description()).isEqualTo("Brews coffee");
    assertThat(ImageText.of(Map.of("org.freedesktop.appstream.appdata", "<not xml"), Map.of()))
        .isEqualTo(ImageText.NONE);
    assertThat(
            ImageText.of(
                Map.of(
                    "org.freedesktop.appstream.appdata",
                    "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><component><name>&e;</name></component>"),
                Map.of()))
        .isEqualTo(ImageText.NONE);
  }

  @Test
  void iconPrefers64Then128ThenTheSmallestOtherSizeThenTheArtifactHubLogo() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("io.artifacthub.package.logo-url", "https://example.org/logo.svg");
    assertThat(ImageText.of(labels, Map.of()).icon()).isEqualTo("https://example.org/logo.svg");
    labels.put("org.freedesktop.appstream.icon-256", PNG + "256");
    labels.put("org.freedesktop.appstream.icon-32", PNG + "32");
    assertThat(ImageText.of(labels, Map.of()).icon()).isEqualTo(PNG + "32");
    labels.put("org.freedesktop.appstream.icon-128", PNG + "128");
    assertThat(ImageText.of(labels, Map.of()).icon()).isEqualTo(PNG + "128");
    labels.put("org.freedesktop.appstream.icon-64", PNG + "64");
    assertThat(ImageText.of(labels, Map.of()).icon()).isEqualTo(PNG + "64");
    assertThat(
            ImageText.of(
                    labels,
                    Map.of("org.freedesktop.appstream.icon-64", "https://example.org/64.png"))
                .icon())
        .as("annotations before labels")
        .isEqualTo("https://example.org/64.png");
    assertThat(ImageText.of(Map.of(), Map.of()).icon()).isNull();
  }

  @Test
  void anUnusableOrOversizedIconIsPassedOverForTheNextKey() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("org.freedesktop.appstream.icon-64", "javascript:alert(1)");
    labels.put(
        "org.freedesktop.appstream.icon-128",
        "data:image/png;base64," + "A".repeat(ImageText.MAX_ICON_CHARS));
    labels.put("org.freedesktop.appstream.icon-48", "data:text/html;base64,PHNjcmlwdD4=");
    labels.put("org.freedesktop.appstream.icon-x", PNG);
    labels.put("io.artifacthub.package.logo-url", "https://example.org/a logo.png");
    assertThat(ImageText.of(labels, Map.of()).icon()).isNull();
    labels.put("org.freedesktop.appstream.icon-256", " " + PNG + "\n");
    assertThat(ImageText.of(labels, Map.of()).icon()).isEqualTo(PNG);
    String largest = "data:image/png;base64," + "A".repeat(ImageText.MAX_ICON_CHARS - 22);
    assertThat(largest).hasSize(ImageText.MAX_ICON_CHARS);
    assertThat(ImageText.usableIcon(largest)).isEqualTo(largest);
    assertThat(ImageText.usableIcon(largest + "A")).isNull();
    assertThat(ImageText.usableIcon("HTTPS://EXAMPLE.ORG/I.PNG"))
        .isEqualTo("HTTPS://EXAMPLE.ORG/I.PNG");
    assertThat(ImageText.usableIcon("ftp://example.org/i.png")).isNull();
    assertThat(ImageText.usableIcon("")).isNull();
  }

  @Test
  void aListDerivesFromItsAnnotationsAlone() {
    ImageText text =
        ImageText.of(
            Map.of(),
            Map.of(
                "org.opencontainers.image.title",
                "List",
                "org.opencontainers.image.description",
                "A list",
                "org.freedesktop.appstream.icon-64",
                PNG));
    assertThat(text).isEqualTo(new ImageText("List", "A list", PNG));
  }
}
