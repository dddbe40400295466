package org.flagstate.api;

import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an image is for a person browsing: a Flatpak app or runtime, a Cockpit plugin or a plain
 * container image. Decided here for a page about one repository, and by the same rule in SQL
 * ({@code flagstate_image_kind}, migration V8) for the {@code kind:} facet token stored per image
 * that search filters and counts; ImageKindTokensIT checks that the two agree.
 *
 * <p>A Cockpit plugin carries the marker label {@code ui.cockpit_label}, or appstream data ({@code
 * org.freedesktop.appstream.appdata}) with a component that {@code <extends>} {@code
 * org.cockpit_project.cockpit}; else {@code org.flatpak.ref} {@code app/…} is a Flatpak app and
 * {@code runtime/…} a Flatpak runtime; anything else is a container image.
 */
public enum ImageKind {
  FLATPAK_APP("flatpak-app", "Flatpak app"),
  FLATPAK_RUNTIME("flatpak-runtime", "Flatpak runtime"),
  COCKPIT_PLUGIN("cockpit-plugin", "Cockpit plugin"),
  CONTAINER_IMAGE("container-image", "Container image");

  static final String FLATPAK_REF = "org.flatpak.ref";
  static final String APPDATA = "org.freedesktop.appstream.appdata";
  private static final String EXTENDS_COCKPIT =
      "<extends>\\s*org\\.cockpit_project\\.cockpit\\s*</extends>";
  private static final Pattern EXTENDS_COCKPIT_PATTERN = Pattern.compile(EXTENDS_COCKPIT);

  private final String id;
  private final String label;

  ImageKind(String id, String label) {
    this.id = id;
    this.label = label;
  }

  /** The value of the {@code kind} parameter and facet: {@code flatpak-app}, … */
  public String id() {
    return id;
  }

  /** What a person reads: "Flatpak app", … */
  public String label() {
    return label;
  }

  public static Optional<ImageKind> byId(String id) {
    for (ImageKind kind : values()) {
      if (kind.id.equals(id)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }

  /** The kind of an image with these config labels. */
  public static ImageKind of(JsonObject labels, String cockpitLabel) {
    String appdata = labels.getValue(APPDATA) instanceof String text ? text : null;
    if (labels.containsKey(cockpitLabel)
        || appdata != null && EXTENDS_COCKPIT_PATTERN.matcher(appdata).find()) {
      return COCKPIT_PLUGIN;
    }
    String ref = labels.getValue(FLATPAK_REF) instanceof String text ? text : "";
    if (ref.startsWith("app/")) {
      return FLATPAK_APP;
    }
    if (ref.startsWith("runtime/")) {
      return FLATPAK_RUNTIME;
    }
    return CONTAINER_IMAGE;
  }
}
