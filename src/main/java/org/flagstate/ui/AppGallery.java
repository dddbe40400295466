package org.flagstate.ui;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.flagstate.registry.ImageText;

/**
 * Builds the gallery of Flatpak apps: one card per repository holding a Flatpak app, for its tag
 * {@code latest} (else the tag updated last), with the name and summary of its appstream data, the
 * runtime from its Flatpak metadata, its download and installed sizes and the architectures the tag
 * offers.
 */
final class AppGallery {

  private AppGallery() {}

  static Views.Apps of(
      Page page, List<UiReader.AppImage> images, String remoteName, String remoteUrl) {
    Map<String, List<UiReader.AppImage>> byRepository = new LinkedHashMap<>();
    for (UiReader.AppImage image : images) {
      byRepository.computeIfAbsent(image.repository(), name -> new ArrayList<>()).add(image);
    }
    List<Views.App> apps = new ArrayList<>();
    byRepository.forEach((repository, rows) -> apps.add(app(page, repository, rows, remoteName)));
    apps.sort(
        Comparator.comparing((Views.App app) -> app.name().toLowerCase(Locale.ROOT))
            .thenComparing(Views.App::href));
    return new Views.Apps(
        page,
        List.copyOf(apps),
        new Views.Command(
            "Add the remote",
            "flatpak remote-add --if-not-exists " + remoteName + " " + remoteUrl));
  }

  private static Views.App app(
      Page page, String repository, List<UiReader.AppImage> rows, String remoteName) {
    String tag = chosenTag(rows);
    TreeSet<String> architectures = new TreeSet<>();
    UiReader.AppImage shown = null;
    for (UiReader.AppImage row : rows) {
      if (row.tag().equals(tag)) {
        shown = shown == null ? row : shown;
        if (row.architecture() != null) {
          architectures.add(row.architecture());
        }
      }
    }
    String[] ref = shown.ref().split("/");
    String appId = ref.length > 1 ? ref[1] : shown.ref();
    ImageText text =
        shown.appdata() == null ? ImageText.NONE : ImageText.fromAppstream(shown.appdata());
    return new Views.App(
        text.title() != null ? text.title() : appId,
        text.description(),
        appId,
        Icons.url(page.prefix(), repository, shown.icon()),
        runtime(shown.metadata()),
        Sizes.human(Sizes.parse(shown.downloadSize())),
        Sizes.human(Sizes.parse(shown.installedSize())),
        List.copyOf(architectures),
        tag,
        page.href("/repositories/" + repository),
        new Views.Command("Install", "flatpak install " + remoteName + " " + appId));
  }

  /** {@code latest} when the repository has it, else the tag updated last. */
  private static String chosenTag(List<UiReader.AppImage> rows) {
    String best = null;
    OffsetDateTime bestAt = null;
    for (UiReader.AppImage row : rows) {
      if (row.tag().equals("latest")) {
        return "latest";
      }
      if (best == null
          || row.updatedAt() != null && (bestAt == null || row.updatedAt().isAfter(bestAt))) {
        best = row.tag();
        bestAt = row.updatedAt();
      }
    }
    return best;
  }

  /** {@code runtime=} of the {@code [Application]} group of Flatpak metadata, or null. */
  static String runtime(String metadata) {
    if (metadata == null) {
      return null;
    }
    boolean application = false;
    for (String line : metadata.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("[")) {
        application = trimmed.equals("[Application]");
      } else if (application && trimmed.startsWith("runtime=")) {
        String value = trimmed.substring("runtime=".length()).strip();
        return value.isEmpty() ? null : value;
      }
    }
    return null;
  }
}
