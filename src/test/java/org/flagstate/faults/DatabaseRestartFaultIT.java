package org.flagstate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.flagstate.testsupport.Commands;
import org.flagstate.testsupport.FlagstateEnvironment;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL, reached by URL, restarted under query load: a server of this test's own (embedded, on
 * a fixed port and data directory, stopped and started again on the same port), so no other test's
 * server is touched. While it is down, answers already in the response cache keep flowing; uncached
 * ones are a 503 with Retry-After, well within the statement timeout; once it is back Flagstate
 * recovers by itself, and a push made during the outage (its notification refused with 503 and
 * re-sent by the registry) is stored and indexed: no event is lost.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseRestartFaultIT {

  private static final String TOKEN = "db-restart-token";
  private static final Duration OUTAGE = Duration.ofSeconds(10);
  private static final Duration FREEZE = Duration.ofSeconds(10);
  private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(10);
  private static final String FLATPAK_QUERY =
      "/index/static?label%3Aorg.flatpak.ref%3Aexists=1&architecture=amd64&os=linux&tag=latest";

  @RegisterExtension
  static final FlagstateEnvironment ENVIRONMENT =
      FlagstateEnvironment.builder()
          .notifications(TOKEN)
          .setting("database.statement_timeout", STATEMENT_TIMEOUT.toSeconds() + "s")
          .seed(DatabaseRestartFaultIT::startOwnPostgresAndPush)
          .build();

  private final AtomicReference<EmbeddedPostgres> postgres = new AtomicReference<>();
  private Path dataDirectory;
  private int postgresPort;

  void startOwnPostgresAndPush(FlagstateEnvironment environment) throws Exception {
    dataDirectory = Files.createTempDirectory("flagstate-restart-pg-");
    postgresPort = FlagstateInstance.freePort();
    postgres.set(startPostgres());
    environment.closeAfterFlagstate(
        () -> {
          EmbeddedPostgres running = postgres.getAndSet(null);
          if (running != null) {
            running.close();
          }
          Commands.runOrFail(
              List.of("rm", "-rf", dataDirectory.toString()), Map.of(), Duration.ofSeconds(30));
        });
    environment.setting("database.url", databaseUrl());
    for (int i = 0; i < 3; i++) {
      environment
          .pusher()
          .pushImage(
              "fault/app" + i,
              "latest",
              ImageSpec.oci()
                  .withSeed("app" + i)
                  .withLabel("org.flatpak.ref", "app/org.test.App" + i + "/x86_64/master"));
    }
  }

  private EmbeddedPostgres startPostgres() throws IOException {
    return EmbeddedPostgres.builder()
        .setPort(postgresPort)
        .setDataDirectory(dataDirectory)
        .setCleanDataDirectory(false)
        .setRegisterShutdownHook(true)
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
  }

  private String databaseUrl() {
    return "postgresql://postgres@127.0.0.1:" + postgresPort + "/postgres";
  }

  @Test
  void cachedAnswersFlowUncachedAre503sAndNothingIsLostWhilePostgresRestarts(
      FlagstateInstance flagstate, FlagstateEnvironment environment) throws Exception {
    String base = flagstate.baseUrl();
    List<String> cached =
        List.of(
            FLATPAK_QUERY,
            "/index/static?repository=fault/app1",
            "/v1/search?q=fault",
            "/api/v1/repositories",
            "/index/dynamic?tag=latest");
    for (String path : cached) {
      for (int i = 0; i < 2; i++) {
        assertThat(flagstate.get(path).statusCode()).as(path).isEqualTo(200);
      }
    }
    AtomicLong unique = new AtomicLong();
    java.util.Random pick = new java.util.Random(1);
    try (RequestLoad load =
            new RequestLoad(
                3,
                () -> {
                  synchronized (pick) {
                    if (pick.nextBoolean()) {
                      return new RequestLoad.Probe(
                          "cached", base + cached.get(pick.nextInt(cached.size())));
                    }
                  }
                  return new RequestLoad.Probe(
                      "uncached",
                      base
                          + "/index/dynamic?repository=fault/app0&tag=u"
                          + unique.incrementAndGet());
                },
                Duration.ofMillis(5));
        RequestLoad ready =
            new RequestLoad(
                1, () -> new RequestLoad.Probe("ready", base + "/ready"), Duration.ofMillis(250))) {
      RequestLoad.sleep(2000);

      long stopBegin = System.nanoTime();
      postgres.getAndSet(null).close();
      long stopped = System.nanoTime();
      // the registry notifies Flagstate of this push at once; Flagstate cannot store it and answers
      // 503
      environment
          .pusher()
          .pushImage(
              "fault/late",
              "during-outage",
              ImageSpec.oci()
                  .withSeed("late")
                  .withLabel("org.flatpak.ref", "app/org.test.Late/x86_64/master"));
      RequestLoad.sleep(
          Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - stopBegin) / 1_000_000));

      long startBegin = System.nanoTime();
      postgres.set(startPostgres());
      long started = System.nanoTime();

      RequestLoad.Sample recovered =
          load.await("uncached", started, RequestLoad.Sample::ok, Duration.ofSeconds(60));
      RequestLoad.Sample readyAgain =
          ready.await("ready", started, s -> s.status() == 200, Duration.ofSeconds(60));
      long eventStoredAt = awaitEventStored("fault/late", "during-outage", Duration.ofSeconds(60));
      long indexedAt =
          awaitIndexed(flagstate, "fault/late", "during-outage", Duration.ofSeconds(60));
      RequestLoad.sleep(500);
      load.close();
      ready.close();

      List<RequestLoad.Sample> cachedDuring = load.within("cached", stopped, startBegin);
      List<RequestLoad.Sample> uncachedDuring = load.within("uncached", stopped, startBegin);
      List<RequestLoad.Sample> cachedFailed = cachedDuring.stream().filter(s -> !s.ok()).toList();
      List<RequestLoad.Sample> uncachedRefused =
          uncachedDuring.stream().filter(s -> s.status() == 503).toList();
      RequestLoad.Sample first503 = load.first("uncached", stopBegin, s -> s.status() == 503);
      long slowest503 =
          uncachedRefused.stream().mapToLong(RequestLoad.Sample::millis).max().orElse(-1);
      List<RequestLoad.Sample> readyDuring = ready.within("ready", stopped, startBegin);
      System.out.printf(
          "database restart: PostgreSQL down %.1f s (stop took %.1f s, start %.1f s)%n",
          RequestLoad.seconds(started - stopBegin),
          RequestLoad.seconds(stopped - stopBegin),
          RequestLoad.seconds(started - startBegin));
      System.out.printf(
          "database restart: cached answers while down: %d served, %d errors%n",
          cachedDuring.size() - cachedFailed.size(), cachedFailed.size());
      System.out.printf(
          "database restart: uncached answers while down: %d, of them %d 503 with Retry-After,"
              + " statuses %s; slowest 503 %d ms (statement timeout %d s); first 503 %.2f s after the stop began%n",
          uncachedDuring.size(),
          uncachedRefused.stream().filter(s -> s.retryAfter() != null).count(),
          statuses(uncachedDuring),
          slowest503,
          STATEMENT_TIMEOUT.toSeconds(),
          first503 == null ? -1 : RequestLoad.seconds(first503.endNanos() - stopBegin));
      System.out.printf(
          "database restart: /ready while down: statuses %s%n", statuses(readyDuring));
      System.out.printf(
          "database restart: recovery without a restart of Flagstate: first uncached 200 %.2f s after"
              + " PostgreSQL accepted connections again, /ready 200 after %.2f s%n",
          recovered == null ? -1 : RequestLoad.seconds(recovered.endNanos() - started),
          readyAgain == null ? -1 : RequestLoad.seconds(readyAgain.endNanos() - started));
      System.out.printf(
          "database restart: the push made while down: its event stored %.2f s and indexed %.2f s"
              + " after PostgreSQL was back (the registry re-sent the refused notification)%n",
          RequestLoad.seconds(eventStoredAt - started), RequestLoad.seconds(indexedAt - started));

      assertThat(cachedDuring).as("cached requests while PostgreSQL was down").isNotEmpty();
      assertThat(cachedFailed).as("cached answers keep flowing while PostgreSQL is down").isEmpty();
      assertThat(uncachedRefused).as("uncached requests while PostgreSQL was down").isNotEmpty();
      assertThat(uncachedDuring)
          .as("every uncached answer while down is a 503 with Retry-After and a JSON body")
          .allSatisfy(
              s -> {
                assertThat(s.status()).as(s.toString()).isEqualTo(503);
                assertThat(s.retryAfter()).as(s.toString()).isNotNull();
                assertThat(new JsonObject(s.body()).getJsonObject("error").getString("code"))
                    .isEqualTo("UNAVAILABLE");
              });
      assertThat(slowest503)
          .as("503s come within the statement timeout")
          .isLessThan(STATEMENT_TIMEOUT.toMillis());
      assertThat(recovered).as("uncached answers recover by themselves").isNotNull();
      assertThat(readyAgain).as("/ready recovers by itself").isNotNull();
    }
  }

  /**
   * The same server frozen (SIGSTOP of the postmaster and its backends: a hung host or a network
   * partition) rather than stopped. The statement timeout is the server's to enforce, so it cannot
   * help here: uncached reads that got a connection wait for the server (at most {@code
   * http.request_timeout}), those beyond {@code query.max_concurrent} get 503 OVERLOADED after
   * {@code query.queue_timeout}; cached answers flow as before.
   */
  @Test
  void cachedAnswersFlowAndUncachedOnesAreBoundedWhilePostgresIsFrozen(FlagstateInstance flagstate)
      throws Exception {
    String base = flagstate.baseUrl();
    String cached = FLATPAK_QUERY;
    assertThat(flagstate.get(cached).statusCode()).isEqualTo(200);
    assertThat(flagstate.get(cached).statusCode()).isEqualTo(200);
    AtomicLong unique = new AtomicLong();
    long postmaster =
        Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
    try (RequestLoad cachedLoad =
            new RequestLoad(
                2, () -> new RequestLoad.Probe("cached", base + cached), Duration.ofMillis(5));
        RequestLoad uncachedLoad =
            new RequestLoad(
                24,
                () ->
                    new RequestLoad.Probe(
                        "uncached",
                        base
                            + "/index/dynamic?repository=fault/app2&tag=f"
                            + unique.incrementAndGet()),
                Duration.ofMillis(5))) {
      RequestLoad.sleep(1000);
      // the postmaster first, so that no backend is started after the list of its children is taken
      List<String> processes = new java.util.ArrayList<>(List.of(Long.toString(postmaster)));
      long frozen = System.nanoTime();
      signal("STOP", processes);
      List<String> backends =
          Commands.runOrFail(
                  List.of("pgrep", "-P", Long.toString(postmaster)),
                  Map.of(),
                  Duration.ofSeconds(10))
              .output()
              .lines()
              .map(String::trim)
              .filter(line -> !line.isEmpty())
              .toList();
      signal("STOP", backends);
      processes.addAll(backends);
      long thawed;
      try {
        RequestLoad.sleep(FREEZE.toMillis());
      } finally {
        signal("CONT", processes);
        thawed = System.nanoTime();
      }
      RequestLoad.Sample recovered =
          uncachedLoad.await(
              "uncached", thawed, s -> s.ok() && s.startNanos() > thawed, Duration.ofSeconds(60));
      cachedLoad.close();
      uncachedLoad.close();

      List<RequestLoad.Sample> cachedDuring = cachedLoad.within("cached", frozen, thawed);
      List<RequestLoad.Sample> uncachedDuring =
          uncachedLoad.samples().stream()
              .filter(
                  s ->
                      s.kind().equals("uncached")
                          && s.startNanos() >= frozen
                          && s.startNanos() < thawed)
              .toList();
      Map<String, Long> codes =
          uncachedDuring.stream()
              .collect(
                  Collectors.groupingBy(
                      s ->
                          s.status()
                              + (s.status() == 503
                                  ? " "
                                      + new JsonObject(s.body())
                                          .getJsonObject("error")
                                          .getString("code")
                                  : ""),
                      java.util.TreeMap::new,
                      Collectors.counting()));
      long slowest = uncachedDuring.stream().mapToLong(RequestLoad.Sample::millis).max().orElse(-1);
      // admission control's refusals (OVERLOADED); a statement cut off by its timeout when the
      // server
      // thaws is a 503 UNAVAILABLE at the end of the freeze, by design
      long slowestRefusal =
          uncachedDuring.stream()
              .filter(s -> s.status() == 503 && s.body().contains("OVERLOADED"))
              .mapToLong(RequestLoad.Sample::millis)
              .max()
              .orElse(-1);
      System.out.printf(
          "database frozen %d s: cached answers %d served, %d errors (slowest %d ms)%n",
          FREEZE.toSeconds(),
          cachedDuring.stream().filter(RequestLoad.Sample::ok).count(),
          cachedDuring.stream().filter(s -> !s.ok()).count(),
          cachedDuring.stream().mapToLong(RequestLoad.Sample::millis).max().orElse(-1));
      System.out.printf(
          "database frozen: uncached requests started while frozen: %d, answers %s; slowest 503 %d ms,"
              + " slowest of all %d ms (those holding a database connection wait for the server)%n",
          uncachedDuring.size(), codes, slowestRefusal, slowest);
      System.out.printf(
          "database frozen: first uncached 200 of a request sent after the thaw %.2f s after it%n",
          recovered == null ? -1 : RequestLoad.seconds(recovered.endNanos() - thawed));

      assertThat(cachedDuring)
          .as("cached answers while PostgreSQL is frozen")
          .isNotEmpty()
          .allSatisfy(s -> assertThat(s.status()).as(s.toString()).isEqualTo(200));
      assertThat(uncachedDuring)
          .as("uncached answers are 200 (late) or 503 with Retry-After, never another error")
          .allSatisfy(
              s -> {
                assertThat(s.status()).as(s.toString()).isIn(200, 503);
                if (s.status() == 503) {
                  assertThat(s.retryAfter()).as(s.toString()).isNotNull();
                }
              });
      assertThat(slowestRefusal)
          .as("a refusal comes fast (query.queue_timeout), not after the freeze")
          .isLessThan(FREEZE.toMillis() / 2);
      assertThat(recovered).as("uncached answers recover by themselves after the thaw").isNotNull();
    }
  }

  private static void signal(String name, List<String> pids) {
    List<String> command = new java.util.ArrayList<>(List.of("kill", "-" + name));
    command.addAll(pids);
    Commands.runOrFail(command, Map.of(), Duration.ofSeconds(10));
  }

  private static String statuses(List<RequestLoad.Sample> samples) {
    return samples.stream()
        .collect(
            Collectors.groupingBy(
                RequestLoad.Sample::status, java.util.TreeMap::new, Collectors.counting()))
        .toString();
  }

  /** Waits until the inbox holds the registry's event for the tag; returns when it was seen. */
  private long awaitEventStored(String repository, String tag, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try (Connection connection = TestDatabase.connect(databaseUrl());
          ResultSet rows =
              connection
                  .createStatement()
                  .executeQuery(
                      "select count(*) from inbox where repository = '"
                          + repository
                          + "' and tag = '"
                          + tag
                          + "'")) {
        rows.next();
        if (rows.getLong(1) > 0) {
          return System.nanoTime();
        }
      } catch (SQLException notYet) {
        // the server is still starting
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "the notification of "
            + repository
            + ":"
            + tag
            + " pushed during the outage was never"
            + " stored: an event was lost");
  }

  private static long awaitIndexed(
      FlagstateInstance flagstate, String repository, String tag, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      var response = flagstate.get("/index/dynamic?repository=" + repository + "&tag=" + tag);
      last = response.statusCode() + " " + new String(response.body());
      if (response.statusCode() == 200 && last.contains("\"" + tag + "\"")) {
        return System.nanoTime();
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        repository + ":" + tag + " did not reach the index; last answer " + last);
  }
}
