package org.flagstate.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.FlagstateProcess;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.IndexComparison;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * Flagstate killed with SIGKILL while it applies a stream of registry events: after a restart no
 * event is lost or applied twice, no repository is half-written, and the index equals a fresh
 * crawl.
 */
class CrashRecoveryIT {

  private static final String TOKEN = "crash-token";

  @Test
  void sigkillInTheMiddleOfApplyingLosesAndDuplicatesNothing() throws Exception {
    int webhookPort = FlagstateInstance.freePort();
    String databaseUrl = TestDatabase.createDatabase();
    try (RegistryProcess registry =
        RegistryProcess.builder()
            .notifications("http://127.0.0.1:" + webhookPort + "/events", TOKEN)
            .start()) {
      RegistryPusher pusher = RegistryPusher.forRegistry(registry);
      Map<String, String> env =
          Map.of(
              "FLAGSTATE_REGISTRY_URL",
              registry.baseUrl(),
              "FLAGSTATE_DATABASE_URL",
              databaseUrl,
              "FLAGSTATE_WEBHOOK_PORT",
              Integer.toString(webhookPort),
              "FLAGSTATE_WEBHOOK_TOKEN",
              TOKEN,
              "FLAGSTATE_CRAWL_INTERVAL",
              "1h");
      ExecutorService pushers = Executors.newFixedThreadPool(4);
      try (FlagstateProcess first = FlagstateProcess.start(env)) {
        first.awaitSyncs(1, Duration.ofSeconds(60));
        List<Future<?>> pushes = new ArrayList<>();
        for (int repository = 0; repository < 4; repository++) {
          int r = repository;
          pushes.add(
              pushers.submit(
                  () -> {
                    for (int i = 0; i < 40; i++) {
                      pusher.pushImage(
                          "crash/repo" + r,
                          "t" + i,
                          ImageSpec.oci().withSeed("crash-" + r + "-" + i));
                    }
                  }));
        }
        awaitSomeAppliedAndSomePending(databaseUrl, Duration.ofSeconds(60));
        first.kill();
        first.awaitExit(Duration.ofSeconds(30));
        for (Future<?> push : pushes) {
          push.get();
        }
      } finally {
        pushers.shutdownNow();
      }
      try (FlagstateProcess second = FlagstateProcess.start(env)) {
        second.awaitSyncs(1, Duration.ofSeconds(60));
        IndexComparison.awaitConvergence(
            registry, path -> second.get(path).body(), Duration.ofSeconds(60));
        assertNoDuplicates(new JsonObject(second.get("/index/dynamic").body()));
        second.awaitBodyContaining("/status", "\"pending\" : 0", Duration.ofSeconds(60));
      }
    }
  }

  private static void awaitSomeAppliedAndSomePending(String databaseUrl, Duration timeout)
      throws SQLException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try (Connection connection = TestDatabase.connect(databaseUrl);
          ResultSet counts =
              connection
                  .createStatement()
                  .executeQuery(
                      "select count(*) filter (where applied_at is not null), count(*) filter (where applied_at is null) from inbox")) {
        counts.next();
        if (counts.getLong(1) >= 10 && counts.getLong(2) > 0) {
          return;
        }
      }
      FlagstateInstance.sleep(5);
    }
    throw new AssertionError("never saw events both applied and pending within " + timeout);
  }

  private static void assertNoDuplicates(JsonObject index) {
    for (Object result : index.getJsonArray("Results")) {
      JsonObject repository = (JsonObject) result;
      Set<String> digests = new HashSet<>();
      Set<String> tags = new HashSet<>();
      for (Object image : repository.getJsonArray("Images")) {
        assertThat(digests.add(((JsonObject) image).getString("Digest"))).isTrue();
        for (Object tag : ((JsonObject) image).getJsonArray("Tags")) {
          assertThat(tags.add((String) tag))
              .as("tag %s twice in %s", tag, repository.getString("Name"))
              .isTrue();
        }
      }
    }
  }
}
