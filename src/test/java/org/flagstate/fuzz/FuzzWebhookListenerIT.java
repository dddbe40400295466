package org.flagstate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.flagstate.testsupport.FlagstateEnvironment;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.RawHttp;
import org.flagstate.testsupport.Seeds;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input at the webhook listener ({@code POST /events} and {@code /metrics}), from seeded
 * generators (the seed is printed; replay with {@code -Dflagstate.test.seed=N}): notification
 * envelopes mutated field by field (SQL fragments, NUL, lone surrogates, wrong JSON types, overlong
 * values, duplicate ids), cut or corrupted JSON text, oversized and deeply nested bodies, every
 * shape of {@code Authorization} and {@code Content-Type}, chunked bodies, wrong paths and methods;
 * then broken framing as on the public listener. Never a 5xx, every 4xx a JSON body, the database
 * byte-for-byte unchanged after every refusal, nothing accepted without the token, and every 200
 * says exactly how many events it stored. The crawler is kept out (the test holds its advisory
 * lock), so only the webhook writes. About 1,500 requests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FuzzWebhookListenerIT {

  private static final String TOKEN = "fuzz-webhook-token";
  private static final int MAX_BODY_BYTES = 16_384;

  /**
   * CrawlerVerticle's advisory lock key ("flagstat"): held by the test, the crawler never starts
   * applying.
   */
  private static final long CRAWLER_LOCK = 7380380986299933044L;

  private static final int REQUESTS_PER_REPETITION = 150;
  private static final int FRAMING_CASES_PER_REPETITION = 70;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EVENTS_TYPE = "application/vnd.docker.distribution.events.v1+json";

  @RegisterExtension
  static final FlagstateEnvironment ENVIRONMENT =
      FlagstateEnvironment.builder()
          .withoutRegistry()
          .setting("webhook.token", TOKEN)
          .setting("webhook.max_body_bytes", Integer.toString(MAX_BODY_BYTES))
          .seed(FuzzWebhookListenerIT::holdTheCrawlerLock)
          .build();

  private int port;
  private DatabaseFingerprint database;

  void holdTheCrawlerLock(FlagstateEnvironment environment) throws Exception {
    Connection lock =
        environment.closeAfterFlagstate(TestDatabase.connect(environment.databaseUrl()));
    lock.createStatement().execute("select pg_advisory_lock(" + CRAWLER_LOCK + ")");
  }

  @BeforeAll
  void bind(FlagstateInstance flagstate, FlagstateEnvironment environment) throws Exception {
    port = flagstate.config().webhook().port();
    database = new DatabaseFingerprint(environment.databaseUrl());
  }

  @AfterAll
  void release() throws Exception {
    database.close();
  }

  // --- notifications
  // ------------------------------------------------------------------------------------------------

  /** What one request was, and whether its Authorization is the one the listener must accept. */
  record Sent(
      String method,
      String target,
      List<String> headers,
      byte[] body,
      boolean chunked,
      boolean authorized) {
    byte[] bytes() {
      List<String> lines = new ArrayList<>();
      lines.add(method + " " + target + " HTTP/1.1");
      lines.addAll(headers);
      if (!chunked) {
        return RawHttp.request(lines, body);
      }
      ByteArrayOutputStream chunks = new ByteArrayOutputStream();
      for (int at = 0; at < body.length; at += 1000) {
        int length = Math.min(1000, body.length - at);
        chunks.writeBytes(
            (Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        chunks.write(body, at, length);
        chunks.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      chunks.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      return RawHttp.request(lines, chunks.toByteArray());
    }

    boolean head() {
      return method.equals("HEAD");
    }

    String describe() {
      return method + " " + target + " " + headers + " " + ResponseRules.printable(body);
    }
  }

  @RepeatedTest(8)
  void randomNotificationsAreNeverA5xxAndARefusalChangesNothing(TestInfo test) {
    long seed = Seeds.next(test);
    NastyValues nasty = new NastyValues(Seeds.random(seed));
    ResponseRules rules = new ResponseRules(seed);
    Map<Integer, Integer> statuses = new TreeMap<>();
    DatabaseFingerprint.Taken before = database.take();
    long storedEvents = 0;
    for (int i = 0; i < REQUESTS_PER_REPETITION; i++) {
      Sent sent = request(nasty);
      RawHttp.Response response = RawHttp.exchange(port, sent.bytes(), sent.head());
      statuses.merge(response.status(), 1, Integer::sum);
      boolean metrics = sent.target().startsWith("/metrics");
      rules.check(sent.describe(), response, sent.head(), !metrics, false);
      DatabaseFingerprint.Taken after = database.take();
      boolean accepted = response.status() >= 200 && response.status() < 300;
      if (!accepted && !after.equals(before)) {
        rules.problem(sent.describe(), "the database changed after a " + response.status());
      }
      if (accepted && !metrics) {
        if (!sent.authorized()) {
          rules.problem(
              sent.describe(), "accepted (" + response.status() + ") without the webhook token");
        }
        if (sent.body().length > MAX_BODY_BYTES) {
          rules.problem(
              sent.describe(),
              "accepted a body of " + sent.body().length + " bytes over the limit");
        }
        long stored = storedCount(response);
        if (stored != after.inboxRows() - before.inboxRows()) {
          rules.problem(
              sent.describe(),
              "answered stored="
                  + stored
                  + " but the inbox grew by "
                  + (after.inboxRows() - before.inboxRows()));
        }
        storedEvents += Math.max(0, stored);
      }
      before = after;
    }
    System.out.printf(
        "webhook listener, seed %d: %d random requests, statuses %s, %d events stored%n",
        seed, rules.checked(), statuses, storedEvents);
    rules.assertNone("random requests to the webhook listener");
    assertThat(statuses.keySet()).as("the generator also gets events accepted").contains(200);
  }

  private static long storedCount(RawHttp.Response response) {
    try {
      JsonNode body = JSON.readTree(response.body());
      return body.path("stored").isIntegralNumber() ? body.path("stored").asLong() : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  private Sent request(NastyValues nasty) {
    String method = "POST";
    String target = "/events";
    if (nasty.chance(0.1)) {
      String[] odd =
          nasty
              .pick(
                  List.of(
                      "GET /events",
                      "PUT /events",
                      "DELETE /events",
                      "HEAD /events",
                      "POST /events/",
                      "POST /Events",
                      "POST /events?x=%zz",
                      "POST /events?%00=1",
                      "POST /events%00",
                      "POST /%zz",
                      "POST /metrics",
                      "GET /metrics",
                      "GET /metrics?x=%zz&name[]=%00",
                      "HEAD /metrics",
                      "OPTIONS *",
                      "POST /events/../events",
                      "POST //events",
                      "POST /events;x=1",
                      "POST /events#x",
                      "GET /",
                      "POST /v2/_catalog",
                      "FOO /events"))
              .split(" ");
      method = odd[0];
      target = odd[1];
    }
    List<String> headers = new ArrayList<>();
    headers.add("Host: 127.0.0.1:" + port);
    boolean authorized = true;
    if (nasty.chance(0.8)) {
      headers.add(
          "Authorization: "
              + nasty.pick(List.of("Bearer " + TOKEN, "bearer " + TOKEN, "BEARER  " + TOKEN)));
    } else {
      authorized = false;
      int shape = nasty.random().nextInt(9);
      switch (shape) {
        case 0 -> {}
        case 1 -> headers.add("Authorization: Bearer wrong-token");
        case 2 -> headers.add("Authorization: Basic " + TOKEN);
        case 3 -> headers.add("Authorization: Bearer" + TOKEN);
        case 4 -> headers.add("Authorization: Bearer " + TOKEN + "x");
        case 5 -> {
          headers.add("Authorization: Bearer " + TOKEN);
          headers.add("Authorization: Bearer " + TOKEN);
        }
        case 6 -> headers.add("Authorization: Bearer " + TOKEN.substring(1));
        case 7 -> headers.add("Authorization: " + clean(nasty.value()));
        default -> headers.add("Authorization: Bearer " + clean(nasty.value()));
      }
    }
    if (nasty.chance(0.8)) {
      headers.add(
          "Content-Type: "
              + (nasty.chance(0.8)
                  ? EVENTS_TYPE
                  : nasty.pick(
                      List.of(
                          "application/json",
                          "application/json; charset=utf-8",
                          "application/problem+json",
                          "text/plain",
                          "application/x-www-form-urlencoded",
                          "multipart/form-data; boundary=x",
                          "",
                          ";",
                          "+json",
                          clean(nasty.value())))));
    }
    if (nasty.chance(0.05)) {
      headers.add("Content-Encoding: gzip");
    }
    if (nasty.chance(0.05)) {
      headers.add("Expect: 100-continue");
    }
    if (nasty.chance(0.1)) {
      headers.add(
          nasty.ascii(nasty.between(1, 12), "abcdefghijklmnopqrstuvwxyz-")
              + ": "
              + clean(nasty.value()));
    }
    byte[] body = body(nasty);
    boolean chunked = nasty.chance(0.1);
    headers.add(chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + body.length);
    headers.add("Connection: close");
    return new Sent(method, target, headers, body, chunked, authorized);
  }

  private static String clean(String value) {
    String kept = value.replace("\r", "").replace("\n", "").replace("\0", "");
    return kept.length() > 2000 ? kept.substring(0, 2000) : kept;
  }

  // --- bodies
  // -------------------------------------------------------------------------------------------------------

  private byte[] body(NastyValues nasty) {
    int kind = nasty.random().nextInt(100);
    if (kind < 4) {
      return nasty
          .pick(
              List.of(
                  "",
                  "null",
                  "[]",
                  "{}",
                  "\"events\"",
                  "1",
                  "true",
                  "{\"events\": null}",
                  "{\"events\": {}}",
                  "{\"events\": [null]}",
                  "{\"events\": [[]]}",
                  "{\"events\": []}"))
          .getBytes(StandardCharsets.UTF_8);
    }
    if (kind < 6) {
      return ("{\"events\": " + "[".repeat(nasty.between(500, 3000)))
          .getBytes(StandardCharsets.UTF_8);
    }
    if (kind < 9) {
      JsonArray events = new JsonArray();
      String filler = "x".repeat(900);
      int count = MAX_BODY_BYTES / 1000 + nasty.between(2, 10);
      for (int i = 0; i < count; i++) {
        events.add(event(nasty).put("filler", filler));
      }
      return new JsonObject().put("events", events).toBuffer().getBytes();
    }
    if (kind < 11) {
      byte[] noise = new byte[nasty.between(1, 500)];
      nasty.random().nextBytes(noise);
      return noise;
    }
    JsonArray events = new JsonArray();
    int count = nasty.chance(0.8) ? 1 : nasty.between(2, 6);
    for (int i = 0; i < count; i++) {
      events.add(event(nasty));
    }
    JsonObject envelope = new JsonObject().put("events", events);
    int mutations = nasty.chance(0.3) ? 0 : nasty.between(1, 3);
    for (int i = 0; i < mutations; i++) {
      mutate(nasty, envelope);
    }
    String text =
        (nasty.chance(0.5) ? envelope.encodePrettily() : envelope.encode())
            .replace(LONE_SURROGATE, nasty.pick(List.of("\\ud800", "a\\udc00b", "\\ud83d")));
    if (nasty.chance(0.12)) {
      text = corrupt(nasty, text);
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A notification as docker/distribution sends it: a push or delete of a manifest, sometimes a
   * pull or blob event.
   */
  private static JsonObject event(NastyValues nasty) {
    String action =
        nasty.pick(List.of("push", "push", "push", "delete", "delete", "pull", "mount"));
    String repository =
        nasty.pick(List.of("fuzz/app", "library/hello", "a", "team/app-one", "x/y/z"));
    String digest = "sha256:" + HexFormat.of().formatHex(bytes(nasty, 32));
    JsonObject target = new JsonObject().put("repository", repository);
    if (action.equals("delete")) {
      if (nasty.chance(0.5)) {
        target.put("digest", digest);
      } else {
        target.put("tag", nasty.pick(List.of("latest", "v1", "1.0")));
      }
    } else {
      target
          .put(
              "mediaType",
              nasty.pick(
                  List.of(
                      "application/vnd.oci.image.manifest.v1+json",
                      "application/vnd.oci.image.index.v1+json",
                      "application/vnd.docker.distribution.manifest.v2+json",
                      "application/vnd.docker.distribution.manifest.list.v2+json",
                      "application/octet-stream",
                      "application/vnd.docker.distribution.manifest.v1+prettyjws")))
          .put("size", 400)
          .put("digest", digest)
          .put("length", 400)
          .put("url", "http://127.0.0.1:5000/v2/" + repository + "/manifests/" + digest);
      if (nasty.chance(0.7)) {
        target.put("tag", nasty.pick(List.of("latest", "v1", "1.0")));
      }
    }
    return new JsonObject()
        .put("id", HexFormat.of().formatHex(bytes(nasty, 16)))
        .put("timestamp", "2026-11-28T10:00:00.123456789Z")
        .put("action", action)
        .put("target", target)
        .put(
            "request",
            new JsonObject().put("id", "r").put("addr", "127.0.0.1:1234").put("method", "PUT"))
        .put("actor", new JsonObject())
        .put("source", new JsonObject().put("addr", "registry:5000"));
  }

  private static byte[] bytes(NastyValues nasty, int count) {
    byte[] bytes = new byte[count];
    nasty.random().nextBytes(bytes);
    return bytes;
  }

  private static final List<String> EVENT_FIELDS = List.of("id", "action", "timestamp", "target");
  private static final List<String> TARGET_FIELDS =
      List.of("repository", "tag", "digest", "mediaType", "size", "url");

  private void mutate(NastyValues nasty, JsonObject envelope) {
    JsonArray events = envelope.getValue("events") instanceof JsonArray array ? array : null;
    int choice = nasty.random().nextInt(10);
    if (events == null || events.isEmpty() || choice == 0) {
      envelope.put(nasty.chance(0.7) ? "events" : nasty.value(), strangeValue(nasty));
      return;
    }
    Object picked = events.getValue(nasty.random().nextInt(events.size()));
    if (!(picked instanceof JsonObject event)) {
      return;
    }
    JsonObject target = event.getValue("target") instanceof JsonObject t ? t : null;
    switch (choice) {
      case 1, 2 -> event.put(nasty.pick(EVENT_FIELDS), strangeValue(nasty));
      case 3, 4, 5 -> {
        if (target != null) {
          target.put(nasty.pick(TARGET_FIELDS), strangeValue(nasty));
        }
      }
      case 6 -> {
        if (nasty.chance(0.5)) {
          event.remove(nasty.pick(EVENT_FIELDS));
        } else if (target != null) {
          target.remove(nasty.pick(TARGET_FIELDS));
        }
      }
      case 7 -> event.put(nasty.value(), strangeValue(nasty));
      case 8 -> events.add(event.copy());
      default -> {
        if (target != null) {
          target
              .put("repository", nasty.pick(NastyValues.NAMES))
              .put("tag", nasty.pick(NastyValues.TAGS));
          if (target.containsKey("digest") || nasty.chance(0.5)) {
            target.put("digest", nasty.pick(NastyValues.DIGESTS));
          }
        }
      }
    }
  }

  /**
   * Replaced by a JSON escape of an unpaired surrogate once encoded (the encoder would turn it into
   * '?').
   */
  private static final String LONE_SURROGATE = "LONE-SURROGATE-HERE";

  /**
   * A JSON value of any type; strings hostile (SQL, NUL, lone surrogates, over 1024 characters).
   */
  private static Object strangeValue(NastyValues nasty) {
    return switch (nasty.random().nextInt(12)) {
      case 0 -> null;
      case 1 -> nasty.random().nextInt();
      case 2 -> nasty.random().nextBoolean();
      case 3 -> new JsonArray().add(nasty.value());
      case 4 -> new JsonObject().put("x", nasty.value());
      case 5 -> "";
      case 6 -> "x".repeat(nasty.between(1020, 1100));
      case 7 -> LONE_SURROGATE;
      case 8 -> nasty.random().nextDouble() * 1e300;
      default -> nasty.value();
    };
  }

  /**
   * Text-level damage: cut short, a raw byte spliced in, a broken escape, a stray quote or
   * backslash.
   */
  private static String corrupt(NastyValues nasty, String text) {
    int at = nasty.random().nextInt(text.length() + 1);
    return switch (nasty.random().nextInt(6)) {
      case 0 -> text.substring(0, at);
      case 1 ->
          text.substring(0, at)
              + nasty.pick(List.of("\0", "\u00ff", "\u0001", "\u001f", "\ufffe"))
              + text.substring(at);
      case 2 ->
          text.substring(0, at)
              + nasty.pick(List.of("\\", "\\u12", "\\x41", "\\ud800", "\\"))
              + text.substring(at);
      case 3 -> text.substring(0, at) + "\"" + text.substring(at);
      case 4 -> text.replace("\"id\"", "\"id\" : \"dup\", \"id\"");
      default -> text + nasty.pick(List.of(",", "}", "garbage", "\0", " {\"events\": []}"));
    };
  }

  // --- broken framing
  // -----------------------------------------------------------------------------------------------

  @RepeatedTest(3)
  void brokenFramingIsNeverA5xxAndChangesNothing(TestInfo test) {
    long seed = Seeds.next(test);
    NastyValues nasty = new NastyValues(Seeds.random(seed));
    ResponseRules rules = new ResponseRules(seed);
    Map<String, Map<Integer, Integer>> statuses = new TreeMap<>();
    DatabaseFingerprint.Taken before = database.take();
    for (int i = 0; i < FRAMING_CASES_PER_REPETITION; i++) {
      FuzzPublicListenerIT.Framed framed =
          FuzzPublicListenerIT.framed(
              nasty, "/events", "POST", 4096, "Host: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN);
      RawHttp.Response response =
          RawHttp.exchange(port, framed.bytes(), framed.head(), framed.halfClose());
      statuses
          .computeIfAbsent(framed.kind(), k -> new TreeMap<>())
          .merge(response.status(), 1, Integer::sum);
      String described = framed.kind() + ": " + ResponseRules.printable(framed.bytes());
      rules.check(described, response, framed.head(), true, framed.mayStayUnanswered());
      if (!response.answered()) {
        FlagstateInstance.sleep(50);
      }
      DatabaseFingerprint.Taken after = database.take();
      if (response.status() != 200 && !after.equals(before)) {
        rules.problem(described, "the database changed after a " + response.status());
      }
      before = after;
    }
    System.out.printf(
        "webhook listener, seed %d: %d broken requests, statuses by kind %s%n",
        seed, rules.checked(), statuses);
    rules.assertNone("broken requests to the webhook listener");
  }

  // --- the limits, exactly
  // ------------------------------------------------------------------------------------------

  @Test
  void aRequestLineOverTheLimitIsA414WithAJsonBody() throws Exception {
    RawHttp.Response response =
        RawHttp.exchange(
            port,
            FuzzPublicListenerIT.bytes(
                "POST /events?x=" + "a".repeat(5000) + " HTTP/1.1", "Host: 127.0.0.1"),
            false);
    assertThat(response.status()).as(response.toString()).isEqualTo(414);
    assertThat(JSON.readTree(response.body()).path("error").path("code").asText())
        .isEqualTo("URI_TOO_LONG");
  }

  /** As on the public listener: never Vert.x's empty 501 (see {@code HttpVersionGuard}). */
  @Test
  void unsupportedHttpVersionsAreA4xxWithAJsonBody() throws Exception {
    DatabaseFingerprint.Taken before = database.take();
    FuzzPublicListenerIT.assertUnsupportedVersionsRefused(port, "/events");
    assertThat(database.take()).isEqualTo(before);
  }

  @Test
  void headersOverTheLimitAreA431WithAJsonBody() throws Exception {
    RawHttp.Response response =
        RawHttp.exchange(
            port,
            FuzzPublicListenerIT.bytes(
                "POST /events HTTP/1.1",
                "Host: 127.0.0.1",
                "Authorization: Bearer " + "t".repeat(9000)),
            false);
    assertThat(response.status()).as(response.toString()).isEqualTo(431);
    assertThat(JSON.readTree(response.body()).path("error").path("code").asText())
        .isEqualTo("HEADERS_TOO_LARGE");
  }

  @Test
  void aHostHeaderVertxCannotParseIsA400NotAHungConnection() throws Exception {
    DatabaseFingerprint.Taken before = database.take();
    String body = "{\"events\": []}";
    RawHttp.Response response =
        RawHttp.exchange(
            port,
            RawHttp.request(
                List.of(
                    "POST /events HTTP/1.1",
                    "Host: %zz",
                    "Authorization: Bearer " + TOKEN,
                    "Content-Type: " + EVENTS_TYPE,
                    "Content-Length: " + body.length()),
                body.getBytes(StandardCharsets.UTF_8)),
            false);
    assertThat(response.status()).as(response.toString()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).path("error").path("code").asText())
        .isEqualTo("BAD_REQUEST");
    assertThat(database.take()).isEqualTo(before);
  }

  /**
   * {@code Content-Type: ;} split into no parts at all: an ArrayIndexOutOfBoundsException and a
   * 500.
   */
  @Test
  void aContentTypeOfOnlyASeparatorIsA415NotA500() throws Exception {
    DatabaseFingerprint.Taken before = database.take();
    String body = "{\"events\": []}";
    RawHttp.Response response =
        RawHttp.exchange(
            port,
            RawHttp.request(
                List.of(
                    "POST /events HTTP/1.1",
                    "Host: 127.0.0.1",
                    "Authorization: Bearer " + TOKEN,
                    "Content-Type: ;",
                    "Content-Length: " + body.length()),
                body.getBytes(StandardCharsets.UTF_8)),
            false);
    assertThat(response.status()).as(response.toString()).isEqualTo(415);
    assertThat(JSON.readTree(response.body()).path("error").path("code").asText())
        .isEqualTo("UNSUPPORTED_MEDIA_TYPE");
    assertThat(database.take()).isEqualTo(before);
  }
}
