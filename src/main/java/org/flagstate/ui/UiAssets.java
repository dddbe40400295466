package org.flagstate.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flagstate.cache.RenderedBody;
import org.flagstate.cache.RenderedResponse;
import org.flagstate.registry.Digests;

/**
 * The UI's static files (style sheet, script, icon), read once from {@code ui/assets/} on the class
 * path and served under names that carry a hash of their bytes ({@code app.3f2a…c1.css}), so a page
 * can let browsers keep them for a year: a changed file gets a new name. Nothing is fetched from
 * elsewhere.
 */
public final class UiAssets {

  /** {@code Cache-Control} of an asset whose hashed name matches: it can never change. */
  public static final String IMMUTABLE = "public, max-age=31536000, immutable";

  private static final Map<String, String> TYPES =
      Map.of(
          "css",
          "text/css; charset=utf-8",
          "js",
          "text/javascript; charset=utf-8",
          "svg",
          "image/svg+xml");

  /** One asset: its public name and the response ready to send. */
  public record Asset(String hashedName, RenderedResponse response) {}

  private final Map<String, Asset> byName = new LinkedHashMap<>();
  private final Map<String, Asset> byHashedName = new LinkedHashMap<>();
  private final String base;

  /**
   * @param base where assets are served, {@code <http.path_prefix>/ui/assets}
   */
  public UiAssets(String base) {
    this.base = base;
    for (String name : new String[] {"app.css", "app.js", "icon.svg"}) {
      byte[] bytes = read(name);
      String hash = HexFormat.of().formatHex(Digests.sha256Bytes(bytes), 0, 6);
      int dot = name.lastIndexOf('.');
      String extension = name.substring(dot + 1);
      String hashed = name.substring(0, dot) + "." + hash + "." + extension;
      Asset asset =
          new Asset(
              hashed,
              RenderedResponse.of(
                  new RenderedBody(bytes, Map.of("Content-Type", TYPES.get(extension))), 0));
      byName.put(name, asset);
      byHashedName.put(hashed, asset);
    }
  }

  /** The URL of {@code app.css}, {@code app.js} or {@code icon.svg}, with its hashed name. */
  public String url(String name) {
    Asset asset = byName.get(name);
    if (asset == null) {
      throw new IllegalArgumentException("no asset " + name);
    }
    return base + "/" + asset.hashedName();
  }

  public String css() {
    return url("app.css");
  }

  public String js() {
    return url("app.js");
  }

  public String icon() {
    return url("icon.svg");
  }

  /** The asset served under {@code hashedName}, or null. */
  public Asset byHashedName(String hashedName) {
    return byHashedName.get(hashedName);
  }

  private static byte[] read(String name) {
    try (InputStream in =
        UiAssets.class.getClassLoader().getResourceAsStream("ui/assets/" + name)) {
      if (in == null) {
        throw new IllegalStateException("ui/assets/" + name + " is missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
