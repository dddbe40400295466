package org.flagstate.webhook;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.flagstate.inbox.RegistryEvent;
import org.flagstate.registry.MediaTypes;
import org.flagstate.registry.ReferenceGrammar;

/**
 * Reads a docker/distribution notification envelope ({@code {"events": [...]}}) and keeps the
 * events that change the index: pushes and deletes of manifests. Blob events, pulls and mounts are
 * dropped. Every event is checked before any is kept, so a bad envelope stores nothing.
 */
public final class NotificationParser {

  /**
   * Manifest types whose push changes tags; schema1 too, so its tag leaves the index when it moves.
   */
  private static final Set<String> MANIFEST_TYPES =
      Set.of(
          MediaTypes.OCI_MANIFEST,
          MediaTypes.OCI_INDEX,
          MediaTypes.DOCKER_MANIFEST,
          MediaTypes.DOCKER_LIST,
          "application/vnd.docker.distribution.manifest.v1+json",
          "application/vnd.docker.distribution.manifest.v1+prettyjws");

  private NotificationParser() {}

  /** The relevant events, in envelope order. */
  public static List<RegistryEvent> parse(Buffer body) {
    JsonObject envelope;
    try {
      envelope = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw new InvalidNotificationException(
          "the body is not a JSON object: " + firstLine(e.getMessage()));
    }
    if (!(envelope.getValue("events") instanceof JsonArray events)) {
      throw new InvalidNotificationException("the body has no \"events\" array");
    }
    List<RegistryEvent> relevant = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      if (!(events.getValue(i) instanceof JsonObject event)) {
        throw new InvalidNotificationException("events[" + i + "] is not an object");
      }
      RegistryEvent parsed = parseEvent(event, "events[" + i + "]");
      if (parsed != null) {
        relevant.add(parsed);
      }
    }
    return relevant;
  }

  private static RegistryEvent parseEvent(JsonObject event, String where) {
    String id = requiredText(event, "id", where);
    String action = requiredText(event, "action", where);
    if (!(event.getValue("target") instanceof JsonObject target)) {
      throw new InvalidNotificationException(where + ".target is missing or not an object");
    }
    RegistryEvent.Action kind = RegistryEvent.Action.named(action).orElse(null);
    if (kind == null) {
      return null;
    }
    String mediaType = optionalText(target, "mediaType", where + ".target");
    if (mediaType != null && !MANIFEST_TYPES.contains(mediaType)) {
      return null;
    }
    String repository = requiredText(target, "repository", where + ".target");
    String digest = optionalText(target, "digest", where + ".target");
    String tag = optionalText(target, "tag", where + ".target");
    String timestamp = optionalText(event, "timestamp", where);
    if (kind == RegistryEvent.Action.PUSH) {
      if (mediaType == null || digest == null) {
        throw new InvalidNotificationException(
            where + ": a push needs target.mediaType and target.digest");
      }
    } else if (digest == null && tag == null) {
      throw new InvalidNotificationException(
          where + ": a delete needs target.digest or target.tag");
    }
    if (!ReferenceGrammar.isName(repository)) {
      throw new InvalidNotificationException(
          where + ".target.repository is not a repository name: " + repository);
    }
    if (tag != null && !ReferenceGrammar.isTag(tag)) {
      throw new InvalidNotificationException(where + ".target.tag is not a tag: " + tag);
    }
    if (digest != null && !ReferenceGrammar.isDigest(digest)) {
      throw new InvalidNotificationException(where + ".target.digest is not a digest: " + digest);
    }
    return new RegistryEvent(id, repository, kind, digest, tag, mediaType, timestamp);
  }

  private static String requiredText(JsonObject json, String field, String where) {
    String value = optionalText(json, field, where);
    if (value == null) {
      throw new InvalidNotificationException(where + "." + field + " is missing");
    }
    return value;
  }

  private static String optionalText(JsonObject json, String field, String where) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw new InvalidNotificationException(where + "." + field + " must be a string");
    }
    if (text.isEmpty()) {
      return null;
    }
    if (text.length() > 1024) {
      throw new InvalidNotificationException(
          where + "." + field + " is longer than 1024 characters");
    }
    if (text.indexOf('\0') >= 0) {
      throw new InvalidNotificationException(where + "." + field + " contains a NUL character");
    }
    return text;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
