package org.flagstate.ui;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.flagstate.api.ApiReader;
import org.flagstate.api.ImageKind;
import org.flagstate.http.Bytewise;

/**
 * Builds a repository's page from the JSON API's repository detail: one table row per tagged image,
 * and per list one row for the list followed by one row per platform; the labels and annotations of
 * the representative tag ({@code latest}, else the tag updated last); and the commands to pull it
 * or, for a Flatpak, to add the remote and install it.
 */
final class RepositoryView {

  private RepositoryView() {}

  /**
   * @param registryHost where {@code podman pull} pulls from
   * @param remoteName the Flatpak remote's name in the commands ({@code ui.flatpak_remote})
   * @param remoteUrl the Flatpak remote's URL (this Flagstate)
   */
  static Views.Repository of(
      Page page,
      ApiReader.RepositoryDetail detail,
      String cockpitLabel,
      String registryHost,
      String remoteName,
      String remoteUrl) {
    String name = detail.summary().name();
    List<Views.TagRow> rows = new ArrayList<>();
    Set<ImageKind> kinds = EnumSet.noneOf(ImageKind.class);
    for (ApiReader.Tag tag : detail.tags()) {
      ApiReader.Manifest manifest = tag.manifest();
      String pull = "podman pull " + registryHost + "/" + name + ":" + tag.name();
      Timestamp updated = Timestamp.of(tag.updatedAt());
      if (manifest.isList()) {
        rows.add(
            new Views.TagRow(
                tag.name(),
                true,
                false,
                manifest.digest(),
                shortDigest(manifest.digest()),
                tag.members().size() + (tag.members().size() == 1 ? " platform" : " platforms"),
                "–",
                "the sizes are per platform",
                null,
                updated,
                pull));
        for (ApiReader.Member member : tag.members()) {
          ApiReader.Manifest image = member.manifest();
          kinds.add(ImageKind.of(image.labels(), cockpitLabel));
          rows.add(
              new Views.TagRow(
                  tag.name(),
                  false,
                  true,
                  image.digest(),
                  shortDigest(image.digest()),
                  platform(
                      first(image.os(), member.platformOs()),
                      first(image.architecture(), member.platformArchitecture()),
                      first(image.variant(), member.platformVariant())),
                  Sizes.human(total(image)),
                  Sizes.exact(total(image)),
                  Timestamp.parse(image.created()),
                  updated,
                  pull));
        }
      } else {
        kinds.add(ImageKind.of(manifest.labels(), cockpitLabel));
        rows.add(
            new Views.TagRow(
                tag.name(),
                false,
                false,
                manifest.digest(),
                shortDigest(manifest.digest()),
                platform(manifest.os(), manifest.architecture(), manifest.variant()),
                Sizes.human(total(manifest)),
                Sizes.exact(total(manifest)),
                Timestamp.parse(manifest.created()),
                updated,
                pull));
      }
    }
    ApiReader.Tag shown = representative(detail.tags());
    List<Views.LabelRow> labels = new ArrayList<>();
    String caption = "";
    List<Views.Command> commands = new ArrayList<>();
    if (shown != null) {
      ApiReader.Manifest image = shown.manifest();
      JsonObject annotations = image.annotations();
      caption = "Labels and annotations of " + name + ":" + shown.name();
      if (image.isList() && !shown.members().isEmpty()) {
        ApiReader.Member member = shown.members().get(0);
        labels.addAll(rows(annotations, "list annotation"));
        image = member.manifest();
        annotations = image.annotations();
        caption +=
            " ("
                + platform(
                    first(image.os(), member.platformOs()),
                    first(image.architecture(), member.platformArchitecture()),
                    first(image.variant(), member.platformVariant()))
                + ")";
      }
      labels.addAll(rows(image.labels(), "label"));
      labels.addAll(rows(annotations, "annotation"));
      labels.sort(Comparator.comparing(Views.LabelRow::key, Bytewise.ORDER));
      commands.add(
          new Views.Command(
              "Pull " + shown.name(),
              "podman pull " + registryHost + "/" + name + ":" + shown.name()));
      commands.add(
          new Views.Command(
              "Pull by digest",
              "podman pull " + registryHost + "/" + name + "@" + shown.manifest().digest()));
      String ref = image.labels().getValue("org.flatpak.ref") instanceof String text ? text : null;
      String[] parts = ref == null ? new String[0] : ref.split("/");
      if (parts.length == 4 && (parts[0].equals("app") || parts[0].equals("runtime"))) {
        commands.add(
            new Views.Command(
                "Add the Flatpak remote",
                "flatpak remote-add --if-not-exists " + remoteName + " " + remoteUrl));
        commands.add(
            new Views.Command(
                "Install with Flatpak",
                "flatpak install " + remoteName + " " + (parts[0].equals("app") ? parts[1] : ref)));
      }
    }
    ApiReader.RepositorySummary summary = detail.summary();
    return new Views.Repository(
        page,
        name,
        summary.title(),
        summary.description(),
        Icons.url(page.prefix(), name, summary.icon()),
        kinds.stream().map(ImageKind::label).toList(),
        detail.tags().size(),
        List.copyOf(rows),
        caption,
        List.copyOf(labels),
        List.copyOf(commands));
  }

  /**
   * {@code latest} when there is one, else the tag updated last (the first by name among equals).
   */
  static ApiReader.Tag representative(List<ApiReader.Tag> tags) {
    ApiReader.Tag best = null;
    for (ApiReader.Tag tag : tags) {
      if (tag.name().equals("latest")) {
        return tag;
      }
      if (best == null || newer(tag.updatedAt(), best.updatedAt())) {
        best = tag;
      }
    }
    return best;
  }

  private static boolean newer(OffsetDateTime a, OffsetDateTime b) {
    return a != null && (b == null || a.isAfter(b));
  }

  private static List<Views.LabelRow> rows(JsonObject map, String source) {
    Map<String, String> sorted = new TreeMap<>(Bytewise.ORDER);
    for (Map.Entry<String, Object> entry : map) {
      if (entry.getValue() instanceof String value) {
        sorted.put(entry.getKey(), value);
      }
    }
    List<Views.LabelRow> rows = new ArrayList<>();
    sorted.forEach((key, value) -> rows.add(new Views.LabelRow(key, source, LabelValue.of(value))));
    return rows;
  }

  /** Manifest, config and layers together, when the manifest declared them. */
  private static Long total(ApiReader.Manifest manifest) {
    if (manifest.configSize() == null || manifest.layersSize() == null) {
      return null;
    }
    return manifest.size() + manifest.configSize() + manifest.layersSize();
  }

  static String platform(String os, String architecture, String variant) {
    String text = (os == null ? "?" : os) + "/" + (architecture == null ? "?" : architecture);
    return variant == null ? text : text + "/" + variant;
  }

  /** {@code sha256:0123456789ab}: the algorithm and 12 hex digits, as podman shows image IDs. */
  static String shortDigest(String digest) {
    int colon = digest.indexOf(':');
    return digest.length() > colon + 13 ? digest.substring(0, colon + 13) : digest;
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }
}
