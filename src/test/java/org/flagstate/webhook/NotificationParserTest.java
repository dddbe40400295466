package org.flagstate.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.flagstate.inbox.RegistryEvent;
import org.flagstate.inbox.RegistryEvent.Action;
import org.flagstate.testsupport.Seeds;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The registry's notification envelope, with events shaped as docker/distribution 2.8.2 sends them
 * (shared/spec/upstream.md): what is kept, what is dropped, and what refuses the whole body.
 */
class NotificationParserTest {

  static final String OCI = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String DOCKER = "application/vnd.docker.distribution.manifest.v2+json";
  static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  static final String SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+prettyjws";
  static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);
  static final String OTHER = "sha256:" + "fedcba9876543210".repeat(4);
  static final String TIME = "2024-05-06T07:08:09.123456789Z";

  /** A push by tag as distribution sends it, with request, actor and source. */
  static final String PUSH_BY_TAG =
      """
      {
         "events": [
            {
               "id": "c5a8f6f0-7b8e-4a7e-9b57-6b0d1ad1b9a1",
               "timestamp": "2024-05-06T07:08:09.123456789Z",
               "action": "push",
               "target": {
                  "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "size": 1234,
                  "digest": "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                  "length": 1234,
                  "repository": "flatpak/hello",
                  "url": "http://127.0.0.1:5000/v2/flatpak/hello/manifests/sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                  "tag": "latest",
                  "references": [
                     {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 10,
                      "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111"}
                  ]
               },
               "request": {"id": "r1", "addr": "127.0.0.1:40000", "host": "127.0.0.1:5000", "method": "PUT",
                           "useragent": "skopeo/1.9"},
               "actor": {},
               "source": {"addr": "host:5000", "instanceID": "i1"}
            }
         ]
      }
      """;

  static JsonObject event(String id, String action, JsonObject target) {
    return new JsonObject()
        .put("id", id)
        .put("timestamp", TIME)
        .put("action", action)
        .put("target", target)
        .put("request", new JsonObject().put("method", "PUT"))
        .put("actor", new JsonObject());
  }

  static JsonObject target(String repository, String mediaType, String digest, String tag) {
    JsonObject target = new JsonObject().put("repository", repository);
    if (mediaType != null) {
      target.put("mediaType", mediaType).put("size", 100).put("length", 100);
    }
    if (digest != null) {
      target.put("digest", digest);
    }
    if (tag != null) {
      target.put("tag", tag);
    }
    return target;
  }

  static List<RegistryEvent> parse(JsonObject... events) {
    return NotificationParser.parse(envelope(events));
  }

  static Buffer envelope(JsonObject... events) {
    return new JsonObject().put("events", new JsonArray(List.of((Object[]) events))).toBuffer();
  }

  static void assertRefused(Buffer body, String messagePart) {
    assertThatThrownBy(() -> NotificationParser.parse(body))
        .isInstanceOf(InvalidNotificationException.class)
        .hasMessageContaining(messagePart);
  }

  static void assertRefused(JsonObject event, String messagePart) {
    assertRefused(envelope(event), messagePart);
  }

  @Test
  void keepsARealPushByTag() {
    assertThat(NotificationParser.parse(Buffer.buffer(PUSH_BY_TAG)))
        .containsExactly(
            new RegistryEvent(
                "c5a8f6f0-7b8e-4a7e-9b57-6b0d1ad1b9a1",
                "flatpak/hello",
                Action.PUSH,
                DIGEST,
                "latest",
                OCI,
                TIME));
  }

  @Test
  void keepsAMultiArchPushInOrderChildrenWithoutTags() {
    String child1 = "sha256:" + "1".repeat(64);
    String child2 = "sha256:" + "2".repeat(64);
    List<RegistryEvent> events =
        parse(
            event("1", "push", target("multi/oci", OCI, child1, null)),
            event("2", "push", target("multi/oci", OCI, child2, null)),
            event("3", "push", target("multi/oci", OCI_INDEX, DIGEST, "latest")));
    assertThat(events)
        .containsExactly(
            new RegistryEvent("1", "multi/oci", Action.PUSH, child1, null, OCI, TIME),
            new RegistryEvent("2", "multi/oci", Action.PUSH, child2, null, OCI, TIME),
            new RegistryEvent("3", "multi/oci", Action.PUSH, DIGEST, "latest", OCI_INDEX, TIME));
  }

  @Test
  void keepsEveryManifestMediaTypeSchema1Included() {
    List<RegistryEvent> events =
        parse(
            event("1", "push", target("r", DOCKER, DIGEST, "a")),
            event("2", "push", target("r", DOCKER_LIST, DIGEST, "b")),
            event("3", "push", target("r", SCHEMA1, DIGEST, "c")),
            event(
                "4",
                "push",
                target("r", "application/vnd.docker.distribution.manifest.v1+json", DIGEST, "d")));
    assertThat(events)
        .extracting(RegistryEvent::mediaType)
        .containsExactly(
            DOCKER, DOCKER_LIST, SCHEMA1, "application/vnd.docker.distribution.manifest.v1+json");
  }

  @Test
  void keepsADeleteByDigestAndTheDeletesByTagThatFollowIt() {
    List<RegistryEvent> events =
        parse(
            event("1", "delete", target("flatpak/hello", null, DIGEST, null)),
            event("2", "delete", target("flatpak/hello", null, null, "latest")),
            event("3", "delete", target("flatpak/hello", null, null, "v1")));
    assertThat(events)
        .containsExactly(
            new RegistryEvent("1", "flatpak/hello", Action.DELETE, DIGEST, null, null, TIME),
            new RegistryEvent("2", "flatpak/hello", Action.DELETE, null, "latest", null, TIME),
            new RegistryEvent("3", "flatpak/hello", Action.DELETE, null, "v1", null, TIME));
  }

  @Test
  void dropsPullsMountsAndBlobs() {
    List<RegistryEvent> events =
        parse(
            event("1", "pull", target("flatpak/hello", OCI, DIGEST, "latest")),
            event("2", "push", target("flatpak/hello", "application/octet-stream", OTHER, null)),
            event(
                "3",
                "mount",
                target("flatpak/hello", "application/octet-stream", OTHER, null)
                    .put("fromRepository", "other")),
            event("4", "pull", target("flatpak/hello", "application/octet-stream", OTHER, null)),
            event("5", "delete", target("flatpak/hello", "application/octet-stream", OTHER, null)),
            event(
                "6",
                "push",
                target("flatpak/hello", "application/vnd.oci.image.config.v1+json", OTHER, null)),
            event("7", "push", target("flatpak/hello", OCI, DIGEST, "kept")));
    assertThat(events).extracting(RegistryEvent::eventId).containsExactly("7");
  }

  @Test
  void anEmptyEnvelopeHasNoEvents() {
    assertThat(NotificationParser.parse(Buffer.buffer("{\"events\": []}"))).isEmpty();
  }

  @Test
  void emptyTextFieldsCountAsAbsent() {
    assertThat(parse(event("1", "push", target("r", OCI, DIGEST, "")).put("timestamp", "")))
        .containsExactly(new RegistryEvent("1", "r", Action.PUSH, DIGEST, null, OCI, null));
  }

  @Test
  void theTimestampIsOptional() {
    JsonObject event = event("1", "delete", target("r", null, null, "latest"));
    event.remove("timestamp");
    assertThat(parse(event))
        .containsExactly(new RegistryEvent("1", "r", Action.DELETE, null, "latest", null, null));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not json",
        "[1, 2]",
        "\"text\"",
        "5",
        "null",
        "{\"events\": [] ",
        "",
        "  ",
        "{\"a\": 1",
        "{} {}",
        "{\"events\": []} x"
      })
  void refusesABodyThatIsNotAJsonObject(String body) {
    assertRefused(Buffer.buffer(body), "the body is not a JSON object");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{\"events\": {}}",
        "{\"events\": \"x\"}",
        "{\"events\": null}",
        "{\"Events\": []}"
      })
  void refusesABodyWithoutAnEventsArray(String body) {
    assertRefused(Buffer.buffer(body), "the body has no \"events\" array");
  }

  @Test
  void refusesAnEventThatIsNotAnObject() {
    assertRefused(
        Buffer.buffer(
            "{\"events\": ["
                + event("1", "push", target("r", OCI, DIGEST, "t")).encode()
                + ", 5]}"),
        "events[1] is not an object");
  }

  @Test
  void namesTheMissingField() {
    JsonObject noId = event("1", "push", target("r", OCI, DIGEST, "t"));
    noId.remove("id");
    assertRefused(noId, "events[0].id is missing");
    JsonObject noAction = event("1", "push", target("r", OCI, DIGEST, "t"));
    noAction.remove("action");
    assertRefused(noAction, "events[0].action is missing");
    JsonObject noTarget = event("1", "push", target("r", OCI, DIGEST, "t"));
    noTarget.remove("target");
    assertRefused(noTarget, "events[0].target is missing or not an object");
    assertRefused(
        event("1", "push", target("r", OCI, DIGEST, "t")).put("target", "r:t"),
        "events[0].target is missing or not an object");
    JsonObject noRepository = target("r", OCI, DIGEST, "t");
    noRepository.remove("repository");
    assertRefused(event("1", "push", noRepository), "events[0].target.repository is missing");
  }

  @Test
  void namesTheEventThatIsWrongAmongGoodOnes() {
    JsonObject good = event("1", "push", target("r", OCI, DIGEST, "t"));
    JsonObject bad = event("2", "delete", target("r", null, null, null));
    assertRefused(
        envelope(good, good, bad), "events[2]: a delete needs target.digest or target.tag");
  }

  @Test
  void aPushNeedsAMediaTypeAndADigest() {
    assertRefused(
        event("1", "push", target("r", null, DIGEST, "t")),
        "events[0]: a push needs target.mediaType and target.digest");
    assertRefused(
        event("1", "push", target("r", OCI, null, "t")),
        "events[0]: a push needs target.mediaType and target.digest");
  }

  @Test
  void namesIllTypedFields() {
    assertRefused(
        event("1", "push", target("r", OCI, DIGEST, "t")).put("id", 17),
        "events[0].id must be a string");
    assertRefused(
        event("1", "push", target("r", OCI, DIGEST, "t")).put("action", true),
        "events[0].action must be a string");
    assertRefused(
        event("1", "push", target("r", OCI, DIGEST, "t")).put("timestamp", 1714979289),
        "events[0].timestamp must be a string");
    assertRefused(
        event("1", "push", target("r", OCI, DIGEST, "t").put("tag", new JsonArray().add("t"))),
        "events[0].target.tag must be a string");
    assertRefused(
        event("1", "push", target("r", OCI, DIGEST, "t").put("digest", new JsonObject())),
        "events[0].target.digest must be a string");
    assertRefused(
        event("1", "push", target("r", OCI, DIGEST, "t").put("repository", 5)),
        "events[0].target.repository must be a string");
    assertRefused(
        event("1", "push", target("r", OCI, DIGEST, "t").put("mediaType", 5)),
        "events[0].target.mediaType must be a string");
  }

  @Test
  void refusesNulCharacters() {
    assertRefused(
        event("1", "push", target("r", OCI, DIGEST, "t\0x")),
        "events[0].target.tag contains a NUL character");
    assertRefused(
        event("1\0", "push", target("r", OCI, DIGEST, "t")),
        "events[0].id contains a NUL character");
    assertRefused(
        event("1", "push", target("r\0", OCI, DIGEST, "t")),
        "events[0].target.repository contains a NUL character");
    assertRefused(
        event("1", "push", target("r", OCI, DIGEST, "t")).put("timestamp", "2024\0"),
        "events[0].timestamp contains a NUL character");
  }

  @Test
  void refusesFieldsLongerThan1024Characters() {
    assertRefused(
        event("x".repeat(1025), "push", target("r", OCI, DIGEST, "t")),
        "events[0].id is longer than 1024 characters");
    assertRefused(
        event("1", "push", target("r", OCI, DIGEST, "t")).put("timestamp", "9".repeat(1025)),
        "events[0].timestamp is longer than 1024 characters");
    assertThat(parse(event("x".repeat(1024), "push", target("r", OCI, DIGEST, "t"))))
        .extracting(RegistryEvent::eventId)
        .containsExactly("x".repeat(1024));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Flatpak/hello",
        "a//b",
        "/a",
        "a/",
        "a..b",
        "-a",
        "a b",
        "a:5000/b",
        "ä",
        "a___b"
      })
  void refusesRepositoryNamesOutsideTheGrammar(String name) {
    assertRefused(
        event("1", "push", target(name, OCI, DIGEST, "t")),
        "events[0].target.repository is not a repository name: " + name);
  }

  @Test
  void refusesAnOverlongRepositoryName() {
    String name = "a".repeat(256);
    assertRefused(
        event("1", "push", target(name, OCI, DIGEST, "t")), "events[0].target.repository is not a");
    assertThat(parse(event("1", "push", target("a".repeat(255), OCI, DIGEST, "t")))).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {".hidden", "-x", "a/b", "a:b", "a+b", "ü"})
  void refusesTagsOutsideTheGrammar(String tag) {
    assertRefused(
        event("1", "push", target("r", OCI, DIGEST, tag)),
        "events[0].target.tag is not a tag: " + tag);
    assertRefused(
        event("1", "delete", target("r", null, null, tag)),
        "events[0].target.tag is not a tag: " + tag);
  }

  @Test
  void refusesATagOver128Characters() {
    assertRefused(
        event("1", "push", target("r", OCI, DIGEST, "t".repeat(129))),
        "events[0].target.tag is not a tag");
    assertThat(parse(event("1", "push", target("r", OCI, DIGEST, "t".repeat(128))))).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "sha256",
        "sha256:",
        "sha256:abc",
        "sha256:" + "g0000000000000000000000000000000",
        ":0123456789abcdef0123456789abcdef",
        "1sha:0123456789abcdef0123456789abcdef",
        "latest"
      })
  void refusesDigestsOutsideTheGrammar(String digest) {
    assertRefused(
        event("1", "push", target("r", OCI, digest, "t")),
        "events[0].target.digest is not a digest: " + digest);
    assertRefused(
        event("1", "delete", target("r", null, digest, null)),
        "events[0].target.digest is not a digest: " + digest);
  }

  @Test
  void ignoredActionsAreNotValidatedBeyondTheirShape() {
    // a pull of a name outside the grammar is dropped like any pull, but an event without an id is
    // not
    assertThat(parse(event("1", "pull", target("Not A Name", OCI, "nope", "?")))).isEmpty();
    JsonObject pull = event("1", "pull", target("r", OCI, DIGEST, "t"));
    pull.remove("id");
    assertRefused(pull, "events[0].id is missing");
  }

  /**
   * Random envelopes of good pushes, deletes and ignorable events come back as exactly the relevant
   * events, in order; putting one refused event anywhere refuses the whole envelope, naming its
   * index.
   */
  @RepeatedTest(100)
  void randomEnvelopes(TestInfo test) {
    long seed = Seeds.next(test);
    Random random = new Random(seed);
    List<JsonObject> events = new ArrayList<>();
    List<RegistryEvent> expected = new ArrayList<>();
    int count = 1 + random.nextInt(12);
    for (int i = 0; i < count; i++) {
      String id = "ev-" + i;
      String repository = random.nextBoolean() ? "flatpak/hello" : "a/b-c/d__e";
      String digest = "sha256:" + hex(random, 64);
      String tag = random.nextBoolean() ? "v" + random.nextInt(100) : null;
      switch (random.nextInt(5)) {
        case 0 -> {
          String type = List.of(OCI, OCI_INDEX, DOCKER, DOCKER_LIST).get(random.nextInt(4));
          events.add(event(id, "push", target(repository, type, digest, tag)));
          expected.add(new RegistryEvent(id, repository, Action.PUSH, digest, tag, type, TIME));
        }
        case 1 -> {
          events.add(event(id, "delete", target(repository, null, digest, null)));
          expected.add(new RegistryEvent(id, repository, Action.DELETE, digest, null, null, TIME));
        }
        case 2 -> {
          events.add(event(id, "delete", target(repository, null, null, "t" + i)));
          expected.add(new RegistryEvent(id, repository, Action.DELETE, null, "t" + i, null, TIME));
        }
        case 3 -> events.add(event(id, "pull", target(repository, OCI, digest, tag)));
        default ->
            events.add(
                event(id, "push", target(repository, "application/octet-stream", digest, null)));
      }
    }
    assertThat(parse(events.toArray(JsonObject[]::new))).as("seed %d", seed).isEqualTo(expected);

    int at = random.nextInt(events.size() + 1);
    JsonObject bad =
        switch (random.nextInt(4)) {
          case 0 -> event("bad", "push", target("r", OCI, "sha256:" + hex(random, 31), null));
          case 1 -> event("bad", "delete", target("R", null, null, "t"));
          case 2 ->
              event("bad", "push", target("r", OCI, DIGEST, "t").put("tag", "x".repeat(1025)));
          default -> event("bad", "delete", target("r", null, null, null));
        };
    events.add(at, bad);
    assertThatThrownBy(() -> parse(events.toArray(JsonObject[]::new)))
        .as("seed %d", seed)
        .isInstanceOf(InvalidNotificationException.class)
        .hasMessageStartingWith("events[" + at + "]");
  }

  static String hex(Random random, int length) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < length; i++) {
      hex.append("0123456789abcdef".charAt(random.nextInt(16)));
    }
    return hex.toString();
  }
}
