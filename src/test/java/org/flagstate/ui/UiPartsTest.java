package org.flagstate.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Base64;
import org.flagstate.api.ImageKind;
import org.junit.jupiter.api.Test;

/**
 * The small rules pages are built from: sizes, times, icons, kinds, the Flatpak runtime and
 * digests.
 */
class UiPartsTest {

  @Test
  void sizesReadAsPodmanPrintsThem() {
    assertThat(Sizes.human(999L)).isEqualTo("999 B");
    assertThat(Sizes.human(1_234L)).isEqualTo("1.2 kB");
    assertThat(Sizes.human(30_500_000L)).isEqualTo("31 MB");
    assertThat(Sizes.human(null)).isEqualTo("–");
    assertThat(Sizes.parse("12345")).isEqualTo(12_345L);
    assertThat(Sizes.parse("12 MB")).isNull();
  }

  @Test
  void createdTimesFromLabelsAreReadOrLeftOut() {
    assertThat(Timestamp.parse("2025-05-01T12:00:00+02:00"))
        .isEqualTo(new Timestamp("2025-05-01T10:00:00Z", "2025-05-01 10:00:00 UTC"));
    assertThat(Timestamp.parse("yesterday")).isNull();
    assertThat(Timestamp.parse(null)).isNull();
  }

  @Test
  void onlyDataUriImagesAreServedAsIcons() {
    String png =
        "data:image/png;base64,"
            + Base64.getEncoder().encodeToString(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    assertThat(Icons.url("/p", "a/b", png)).matches("/p/ui/icon/a/b\\?v=[0-9a-f]{16}");
    assertThat(Icons.decode(png).type()).isEqualTo("image/png");
    assertThat(Icons.url("", "a", "https://example.org/icon.png")).isNull();
    assertThat(Icons.decode("data:text/html;base64,PHNjcmlwdD4=")).isNull();
    assertThat(Icons.decode("data:image/svg+xml,%3Csvg%3E%3C/svg%3E").bytes())
        .asString()
        .isEqualTo("<svg></svg>");
    assertThat(Icons.decode("data:image/png;base64,***")).isNull();
  }

  @Test
  void kindsFollowTheMarkerLabelAppstreamAndFlatpakRef() {
    String marker = "org.cockpit-project.plugin";
    assertThat(ImageKind.of(new JsonObject().put(marker, "x"), marker))
        .isEqualTo(ImageKind.COCKPIT_PLUGIN);
    assertThat(
            ImageKind.of(
                new JsonObject()
                    .put(
                        "org.freedesktop.appstream.appdata",
                        "<component type=\"addon\"><extends> org.cockpit_project.cockpit </extends></component>"),
                marker))
        .isEqualTo(ImageKind.COCKPIT_PLUGIN);
    assertThat(
            ImageKind.of(
                new JsonObject().put("org.flatpak.ref", "app/org.x.Y/x86_64/stable"), marker))
        .isEqualTo(ImageKind.FLATPAK_APP);
    assertThat(
            ImageKind.of(
                new JsonObject().put("org.flatpak.ref", "runtime/org.x.P/x86_64/1"), marker))
        .isEqualTo(ImageKind.FLATPAK_RUNTIME);
    assertThat(ImageKind.of(new JsonObject(), marker)).isEqualTo(ImageKind.CONTAINER_IMAGE);
  }

  @Test
  void theRuntimeComesFromTheApplicationGroup() {
    assertThat(
            AppGallery.runtime(
                "[Application]\nname=a\nruntime=org.x.Platform/x86_64/24.08\n\n[Context]\n"))
        .isEqualTo("org.x.Platform/x86_64/24.08");
    assertThat(AppGallery.runtime("[Runtime]\nruntime=org.x.Platform/x86_64/24.08\n")).isNull();
    assertThat(AppGallery.runtime(null)).isNull();
  }

  @Test
  void digestsAreShortenedAsPodmanShowsIds() {
    assertThat(RepositoryView.shortDigest("sha256:" + "0123456789abcdef".repeat(4)))
        .isEqualTo("sha256:0123456789ab");
    assertThat(RepositoryView.platform("linux", "arm64", "v8")).isEqualTo("linux/arm64/v8");
  }

  @Test
  void theFirstCrawlShowsUntilASyncCompletes() {
    assertThat(
            FirstCrawl.progress(
                new JsonObject()
                    .put("state", "syncing")
                    .put("syncsCompleted", 0)
                    .put(
                        "sync",
                        new JsonObject()
                            .put("repositoriesDone", 3)
                            .put("repositoriesTotal", 10)
                            .put("etaSeconds", 7))))
        .isEqualTo(new Views.Progress("syncing", 3, 10, 7L, null));
    assertThat(FirstCrawl.progress(new JsonObject().put("state", "idle").put("syncsCompleted", 1)))
        .isNull();
    assertThat(
            FirstCrawl.progress(
                new JsonObject().put("state", "standby: another node").put("syncsCompleted", 0)))
        .isNull();
  }
}
