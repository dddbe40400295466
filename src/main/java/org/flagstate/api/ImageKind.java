package org.flagstate.api;

import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an image is for a person browsing: a Flatpak app or runtime, a Cockpit plugin or a plain
 * container image. The one definition, in SQL for search filters and facets and in Java for a page
 * about one repository, kept side by side so they cannot drift.
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

  /**
   * SQL: the kind id of the image whose facet tokens (a {@code repository_image.tokens} array, made
   * by {@code flagstate_image_tokens} of migration V8 from the same rules) are the expression
   * {@code tokens}; {@code cockpitLabel} is the placeholder of the marker label's name.
   */
  static String sqlOfTokens(String tokens, String cockpitLabel) {
    return "case when "
        + tokens
        + " && array['label:' || "
        + cockpitLabel
        + "::text, 'appstream:cockpit'] then '"
        + COCKPIT_PLUGIN.id
        + "' when 'flatpak:app' = any("
        + tokens
        + ") then '"
        + FLATPAK_APP.id
        + "' when 'flatpak:runtime' = any("
        + tokens
        + ") then '"
        + FLATPAK_RUNTIME.id
        + "' else '"
        + CONTAINER_IMAGE.id
        + "' end";
  }
}
