package org.flagstate.ui;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import org.flagstate.registry.Digests;

/**
 * Repository icons as pages use them. The crawler stores an icon as a {@code data:image/…} URI or
 * an http(s) URL (registry/ImageText); pages never inline the data (it would weigh down every list)
 * nor load a remote URL (a visitor's browser would tell another host what it looks at). A data URI
 * is served by this host at {@code /ui/icon/<repository>?v=<hash>}: the hash of the stored value
 * makes the URL change with the icon, so browsers may keep it; remote icons are not shown.
 */
public final class Icons {

  /** The image types served; anything else is not an icon a page shows. */
  private static final Set<String> TYPES =
      Set.of(
          "image/png",
          "image/jpeg",
          "image/gif",
          "image/webp",
          "image/svg+xml",
          "image/x-icon",
          "image/vnd.microsoft.icon");

  /** A decoded icon. */
  public record Image(String type, byte[] bytes) {}

  private Icons() {}

  /**
   * The URL of {@code repository}'s icon under {@code prefix}, or null when it has no icon this
   * host serves.
   */
  public static String url(String prefix, String repository, String icon) {
    if (decode(icon) == null) {
      return null;
    }
    return prefix + "/ui/icon/" + repository + "?v=" + version(icon);
  }

  /** The version parameter of an icon: 16 hex digits of its SHA-256. */
  public static String version(String icon) {
    return HexFormat.of().formatHex(Digests.sha256Bytes(icon), 0, 8);
  }

  /** The image of a {@code data:} URI of a supported type, or null. */
  public static Image decode(String icon) {
    if (icon == null || !icon.regionMatches(true, 0, "data:", 0, 5)) {
      return null;
    }
    int comma = icon.indexOf(',');
    if (comma < 0) {
      return null;
    }
    String[] meta = icon.substring(5, comma).split(";");
    String type = meta[0].strip().toLowerCase(Locale.ROOT);
    if (!TYPES.contains(type)) {
      return null;
    }
    boolean base64 = false;
    for (int i = 1; i < meta.length; i++) {
      base64 |= meta[i].strip().equalsIgnoreCase("base64");
    }
    String data = icon.substring(comma + 1);
    try {
      byte[] bytes =
          base64
              ? Base64.getMimeDecoder().decode(data)
              : URLDecoder.decode(data.replace("+", "%2B"), StandardCharsets.UTF_8)
                  .getBytes(StandardCharsets.UTF_8);
      return bytes.length == 0 ? null : new Image(type, bytes);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
