package org.flagstate.registry;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads manifests and config blobs into the values the index stores; never throws on bad content. A
 * NUL character, which JSON allows and PostgreSQL text and jsonb refuse, makes a label or
 * annotation be left out, and any other stored field be a reason to skip the manifest.
 */
public final class ManifestParser {

  private ManifestParser() {}

  public static ParsedManifest parse(RegistryClient.Manifest manifest) {
    try {
      return parseJson(manifest);
    } catch (NulCharacterException e) {
      return new ParsedManifest.Unsupported(manifest.digest(), e.getMessage());
    }
  }

  private static ParsedManifest parseJson(RegistryClient.Manifest manifest) {
    JsonObject json;
    try {
      json = new JsonObject(manifest.body());
    } catch (DecodeException | ClassCastException e) {
      return new ParsedManifest.Unsupported(manifest.digest(), "manifest is not a JSON object");
    }
    String mediaType =
        json.getValue("mediaType") instanceof String declared
            ? checked("mediaType", declared)
            : manifest.mediaType();
    if (mediaType == null || mediaType.isEmpty()) {
      mediaType = manifest.mediaType();
    }
    long size = manifest.body().length();
    if (MediaTypes.isImage(mediaType)) {
      return image(manifest.digest(), mediaType, size, json);
    }
    if (MediaTypes.isList(mediaType)) {
      return list(manifest.digest(), mediaType, size, json);
    }
    if (json.getValue("schemaVersion") instanceof Integer version && version == 1) {
      return new ParsedManifest.Unsupported(manifest.digest(), "Docker schema1 manifest");
    }
    return new ParsedManifest.Unsupported(
        manifest.digest(), "unsupported media type '" + mediaType + "'");
  }

  private static ParsedManifest image(String digest, String mediaType, long size, JsonObject json) {
    if (json.getValue("artifactType") instanceof String artifactType) {
      return new ParsedManifest.Unsupported(
          digest, "artifact manifest (artifactType " + artifactType + ")");
    }
    if (!(json.getValue("config") instanceof JsonObject config)
        || !(config.getValue("digest") instanceof String configDigest)) {
      return new ParsedManifest.Unsupported(digest, "image manifest without a config digest");
    }
    checked("config.digest", configDigest);
    String configType = config.getValue("mediaType") instanceof String t ? t : "";
    if (!MediaTypes.isImageConfig(configType)) {
      return new ParsedManifest.Unsupported(
          digest, "artifact manifest (config media type '" + configType + "')");
    }
    return new ParsedManifest.Image(
        digest,
        mediaType,
        size,
        configDigest,
        strings(json.getValue("annotations"), null),
        size(config),
        layersSize(json.getValue("layers")));
  }

  /** The declared size of a descriptor, or null when absent or not a whole number of bytes. */
  private static Long size(JsonObject descriptor) {
    return descriptor.getValue("size") instanceof Number n
            && n.longValue() >= 0
            && n.doubleValue() == n.longValue()
        ? n.longValue()
        : null;
  }

  /** The total declared size of the layers, or null when any layer does not declare one. */
  private static Long layersSize(Object layers) {
    if (!(layers instanceof JsonArray array)) {
      return null;
    }
    long total = 0;
    for (Object layer : array) {
      Long size = layer instanceof JsonObject descriptor ? size(descriptor) : null;
      if (size == null) {
        return null;
      }
      total += size;
    }
    return total;
  }

  private static ParsedManifest list(String digest, String mediaType, long size, JsonObject json) {
    if (!(json.getValue("manifests") instanceof JsonArray entries)) {
      return new ParsedManifest.Unsupported(digest, "list without a manifests array");
    }
    List<ParsedManifest.Member> members = new ArrayList<>();
    for (Object entry : entries) {
      if (entry instanceof JsonObject member
          && member.getValue("digest") instanceof String memberDigest) {
        JsonObject platform =
            member.getValue("platform") instanceof JsonObject p ? p : new JsonObject();
        members.add(
            new ParsedManifest.Member(
                checked("manifests[].digest", memberDigest),
                member.getValue("mediaType") instanceof String t
                    ? checked("manifests[].mediaType", t)
                    : "",
                text(platform, "os"),
                text(platform, "architecture"),
                text(platform, "variant")));
      }
    }
    return new ParsedManifest.ImageList(
        digest, mediaType, size, members, strings(json.getValue("annotations"), null));
  }

  /**
   * Reads os, architecture, variant, created and the string labels of an image config blob.
   *
   * @throws IllegalArgumentException naming what makes the blob unusable
   */
  public static ImageConfig parseConfig(Buffer blob) {
    JsonObject json;
    try {
      json = new JsonObject(blob);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("config blob is not a JSON object");
    }
    JsonObject config = json.getValue("config") instanceof JsonObject c ? c : new JsonObject();
    List<String> ignored = new ArrayList<>();
    Map<String, String> labels = strings(config.getValue("Labels"), ignored);
    return new ImageConfig(
        text(json, "os"),
        text(json, "architecture"),
        text(json, "variant"),
        text(json, "created"),
        labels,
        ignored);
  }

  private static Map<String, String> strings(Object value, List<String> ignoredKeys) {
    Map<String, String> result = new HashMap<>();
    if (value instanceof JsonObject object) {
      for (String key : object.fieldNames()) {
        if (object.getValue(key) instanceof String text && !hasNul(key) && !hasNul(text)) {
          result.put(key, text);
        } else if (ignoredKeys != null) {
          ignoredKeys.add(key.replace("\0", "\\u0000"));
        }
      }
    }
    return result;
  }

  private static String text(JsonObject json, String field) {
    return json.getValue(field) instanceof String text && !text.isEmpty()
        ? checked(field, text)
        : null;
  }

  private static String checked(String field, String value) {
    if (hasNul(value)) {
      throw new NulCharacterException(field);
    }
    return value;
  }

  private static boolean hasNul(String text) {
    return text.indexOf('\0') >= 0;
  }

  /** A stored field holds a NUL character. */
  private static final class NulCharacterException extends IllegalArgumentException {
    NulCharacterException(String field) {
      super("field '" + field + "' contains a NUL character, which the index cannot store");
    }
  }
}
