package org.flagstate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.flagstate.testsupport.FlagstateEnvironment;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A flood of registry notifications while the database cannot store them: another session holds
 * {@code lock table inbox in exclusive mode} for {@value #LOCK_SECONDS} s, so every insert waits
 * until the statement timeout (2 s here, 10 s by default). Each notification gets a 503 (or, past
 * the client's patience, nothing), so the registry re-sends it; no 200 is given for an event that
 * is not stored; once the lock goes, the re-sent events are all stored exactly once, and the
 * registry's own re-sent notifications of pushes made during the stall reach the index.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookFloodFaultIT {

  private static final String TOKEN = "flood-token";
  static final int LOCK_SECONDS = 8;
  private static final int FLOOD_EVENTS = 240;
  private static final int FLOOD_CLIENTS = 24;
  private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(2);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @RegisterExtension
  static final FlagstateEnvironment ENVIRONMENT =
      FlagstateEnvironment.builder()
          .notifications(TOKEN)
          .setting("database.statement_timeout", STATEMENT_TIMEOUT.toSeconds() + "s")
          .seed(WebhookFloodFaultIT::push)
          .build();

  void push(FlagstateEnvironment environment) {
    environment.pusher().pushImage("flood/app", "latest", ImageSpec.oci().withSeed("flood-app"));
  }

  /**
   * One notification sent and what came back; status -1 when the client gave up or the connection
   * failed.
   */
  record Delivery(String eventId, long startNanos, long endNanos, int status, String body) {
    long millis() {
      return (endNanos - startNanos) / 1_000_000;
    }
  }

  @Test
  void aFloodWhileTheInboxIsLockedGets503sAndNothingUnstoredIsAcknowledged(
      FlagstateInstance flagstate, FlagstateEnvironment environment) throws Exception {
    String url = flagstate.eventsUrl();
    String databaseUrl = environment.databaseUrl();
    assertThat(deliver(url, "warm-up", Duration.ofSeconds(10)).status()).isEqualTo(200);

    List<Delivery> deliveries = new ArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(FLOOD_CLIENTS);
    ExecutorService pushes = Executors.newSingleThreadExecutor();
    String base = flagstate.baseUrl();
    long locked;
    long released;
    try (Connection lock = TestDatabase.connect(databaseUrl);
        RequestLoad cachedReaders =
            new RequestLoad(
                1,
                () -> new RequestLoad.Probe("cached", base + "/index/static?tag=latest"),
                Duration.ofMillis(20));
        RequestLoad uncachedReaders =
            new RequestLoad(
                1,
                new java.util.function.Supplier<>() {
                  private long unique;

                  @Override
                  public synchronized RequestLoad.Probe get() {
                    return new RequestLoad.Probe(
                        "uncached", base + "/index/dynamic?tag=u" + ++unique);
                  }
                },
                Duration.ofMillis(20))) {
      lock.setAutoCommit(false);
      lock.createStatement().execute("lock table inbox in exclusive mode");
      locked = System.nanoTime();
      List<Future<Delivery>> sent = new ArrayList<>();
      for (int i = 0; i < FLOOD_EVENTS; i++) {
        String id = "flood-" + i;
        sent.add(clients.submit(() -> deliver(url, id, Duration.ofSeconds(30))));
      }
      // the registry notifies Flagstate of these while the inbox is locked, and re-sends until it
      // gets a 2xx
      Future<?> realPushes =
          pushes.submit(
              () -> {
                environment
                    .pusher()
                    .pushImage("flood/during", "one", ImageSpec.oci().withSeed("during-one"));
                environment
                    .pusher()
                    .pushImage("flood/during", "two", ImageSpec.oci().withSeed("during-two"));
              });
      RequestLoad.sleep(LOCK_SECONDS * 1000L - (System.nanoTime() - locked) / 1_000_000);
      // read before the rollback: a 200 that ended earlier came while the lock surely held, where
      // an insert the rollback lets through can end before rollback() returns to this thread
      released = System.nanoTime();
      lock.rollback();
      for (Future<Delivery> delivery : sent) {
        deliveries.add(delivery.get(120, TimeUnit.SECONDS));
      }
      realPushes.get(60, TimeUnit.SECONDS);
      cachedReaders.close();
      uncachedReaders.close();

      Set<String> stored = storedEventIds(databaseUrl);
      List<Delivery> acknowledged = deliveries.stream().filter(d -> d.status() == 200).toList();
      List<Delivery> acknowledgedWhileLocked =
          acknowledged.stream().filter(d -> d.endNanos() < released).toList();
      List<String> acknowledgedNotStored =
          acknowledged.stream().map(Delivery::eventId).filter(id -> !stored.contains(id)).toList();
      List<Delivery> refused = deliveries.stream().filter(d -> d.status() == 503).toList();
      Delivery first503 =
          refused.stream().min((a, b) -> Long.compare(a.endNanos(), b.endNanos())).orElse(null);
      Delivery firstAfter =
          acknowledged.stream()
              .min((a, b) -> Long.compare(a.endNanos(), b.endNanos()))
              .orElse(null);
      long slowest = deliveries.stream().mapToLong(Delivery::millis).max().orElse(-1);

      int resent = 0;
      for (Delivery delivery : deliveries) {
        if (delivery.status() != 200) {
          resent++;
          Delivery again = deliver(url, delivery.eventId(), Duration.ofSeconds(30));
          for (int attempt = 0; again.status() != 200 && attempt < 20; attempt++) {
            RequestLoad.sleep(500);
            again = deliver(url, delivery.eventId(), Duration.ofSeconds(30));
          }
          assertThat(again.status()).as("re-sent " + delivery.eventId()).isEqualTo(200);
        }
      }
      Set<String> storedAfterResend = storedEventIds(databaseUrl);
      long realStoredAt =
          awaitIndexed(flagstate, "flood/during", List.of("one", "two"), Duration.ofSeconds(90));

      List<RequestLoad.Sample> cachedReads = cachedReaders.within("cached", locked, released);
      List<RequestLoad.Sample> uncachedReads = uncachedReaders.within("uncached", locked, released);
      List<Delivery> duringLock = deliveries.stream().filter(d -> d.endNanos() < released).toList();
      List<Delivery> afterLock = deliveries.stream().filter(d -> d.endNanos() >= released).toList();
      System.out.printf(
          "webhook flood: %d notifications from %d clients, the inbox locked for %d s (statement"
              + " timeout %d s): answered while locked %s (slowest %d ms), first 503 %.2f s after the lock; answered"
              + " after the release %s; slowest of all %d ms%n",
          FLOOD_EVENTS,
          FLOOD_CLIENTS,
          LOCK_SECONDS,
          STATEMENT_TIMEOUT.toSeconds(),
          statuses(duringLock),
          duringLock.stream().mapToLong(Delivery::millis).max().orElse(-1),
          first503 == null ? -1 : RequestLoad.seconds(first503.endNanos() - locked),
          statuses(afterLock),
          slowest);
      System.out.printf(
          "webhook flood: acknowledged %d, of them %d while the lock was held and %d not stored;"
              + " first 200 %.2f s after the lock was released%n",
          acknowledged.size(),
          acknowledgedWhileLocked.size(),
          acknowledgedNotStored.size(),
          firstAfter == null ? -1 : RequestLoad.seconds(firstAfter.endNanos() - released));
      System.out.printf(
          "webhook flood: %d re-sent (as the registry would) until stored; inbox holds all %d: %b;"
              + " the registry's own re-sent notifications of 2 pushes during the stall indexed %.2f s after the"
              + " release%n",
          resent,
          FLOOD_EVENTS,
          storedAfterResend.containsAll(ids()),
          RequestLoad.seconds(realStoredAt - released));
      System.out.printf(
          "webhook flood: public reads while locked: cached %s (slowest %d ms), uncached %s (slowest"
              + " %d ms)%n",
          statuses(cachedReads.stream().map(RequestLoad.Sample::status).toList()),
          cachedReads.stream().mapToLong(RequestLoad.Sample::millis).max().orElse(-1),
          statuses(uncachedReads.stream().map(RequestLoad.Sample::status).toList()),
          uncachedReads.stream().mapToLong(RequestLoad.Sample::millis).max().orElse(-1));

      assertThat(acknowledgedNotStored).as("acknowledged (200) but not in the inbox").isEmpty();
      assertThat(acknowledgedWhileLocked).as("a 200 while nothing could be stored").isEmpty();
      assertThat(refused).as("the flood gets 503s, so the registry re-sends").isNotEmpty();
      assertThat(refused)
          .allSatisfy(
              d ->
                  assertThat(new JsonObject(d.body()).getJsonObject("error").getString("code"))
                      .isEqualTo("UNAVAILABLE"));
      assertThat(deliveries)
          .as("nothing but 200, 503 or a client-side timeout")
          .allSatisfy(d -> assertThat(d.status()).isIn(200, 503, -1));
      assertThat(storedAfterResend).as("every event stored once re-sent").containsAll(ids());
      assertThat(cachedReads)
          .as("cached reads during the flood")
          .allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
    } finally {
      clients.shutdownNow();
      pushes.shutdownNow();
    }
  }

  private static List<String> ids() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < FLOOD_EVENTS; i++) {
      ids.add("flood-" + i);
    }
    return ids;
  }

  private static String statuses(List<?> items) {
    Map<Object, Long> counts =
        items.stream()
            .map(item -> item instanceof Delivery d ? d.status() : item)
            .collect(Collectors.groupingBy(status -> status, TreeMap::new, Collectors.counting()));
    return counts.toString();
  }

  /** A delete of a tag that does not exist: stored like any event, applied as a no-op. */
  private static Delivery deliver(String url, String eventId, Duration timeout) {
    int n = Math.abs(eventId.hashCode() % 20);
    String envelope =
        """
        {"events": [{"id": "%s", "timestamp": "2026-12-01T10:00:00Z", "action": "delete",
          "target": {"repository": "flood/r%d", "tag": "%s"}, "request": {}, "actor": {}, "source": {}}]}"""
            .formatted(eventId, n, eventId);
    long start = System.nanoTime();
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url))
                  .timeout(timeout)
                  .header("Authorization", "Bearer " + TOKEN)
                  .header("Content-Type", "application/vnd.docker.distribution.events.v1+json")
                  .POST(HttpRequest.BodyPublishers.ofString(envelope))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new Delivery(
          eventId, start, System.nanoTime(), response.statusCode(), response.body());
    } catch (IOException e) {
      return new Delivery(eventId, start, System.nanoTime(), -1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Delivery(eventId, start, System.nanoTime(), -1, "interrupted");
    }
  }

  private static Set<String> storedEventIds(String databaseUrl) throws SQLException {
    Set<String> ids = new HashSet<>();
    try (Connection connection = TestDatabase.connect(databaseUrl);
        ResultSet rows = connection.createStatement().executeQuery("select event_id from inbox")) {
      while (rows.next()) {
        ids.add(rows.getString(1));
      }
    }
    return ids;
  }

  private static long awaitIndexed(
      FlagstateInstance flagstate, String repository, List<String> tags, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      var response = flagstate.get("/index/dynamic?repository=" + repository);
      last = new String(response.body());
      String body = last;
      if (response.statusCode() == 200
          && tags.stream().allMatch(tag -> body.contains("\"" + tag + "\""))) {
        return System.nanoTime();
      }
      FlagstateInstance.sleep(100);
    }
    throw new AssertionError(
        repository
            + " "
            + tags
            + " pushed during the stall did not reach the index within "
            + timeout
            + ": an event was lost? last answer "
            + last);
  }
}
