package org.flagstate.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.FlagstateProcess;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.IndexComparison;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of a Flagstate that runs the embedded PostgreSQL, in the middle of its first crawl and in
 * the middle of applying registry events: the next start serves within seconds with nobody cleaning
 * up, and the index then equals a fresh crawl. Covers both ways the left-over server goes away: the
 * watchdog that stops it when its Flagstate dies, and the next start stopping it when the watchdog
 * died too.
 */
class EmbeddedCrashRecoveryIT {

  private static final String TOKEN = "embedded-crash";
  private static final int REPOSITORIES = 60;

  private static RegistryProcess registry;
  private static int webhookPort;

  @BeforeAll
  static void registryWithContent() {
    webhookPort = FlagstateInstance.freePort();
    registry =
        RegistryProcess.builder()
            .notifications("http://127.0.0.1:" + webhookPort + "/events", TOKEN)
            .start();
    RegistryPusher pusher = RegistryPusher.forRegistry(registry);
    for (int i = 0; i < REPOSITORIES; i++) {
      pusher.pushImage("crawl/repo" + i, "latest", ImageSpec.oci().withSeed("embedded-crash-" + i));
    }
  }

  @AfterAll
  static void stopRegistry() {
    registry.close();
  }

  @Test
  void killedDuringTheFirstCrawlWithItsWatchdogTooTheNextStartStopsTheLeftOverServer()
      throws Exception {
    Path dataDir = Files.createTempDirectory("flagstate-crash-").resolve("pg");
    Map<String, String> env = environment(dataDir, "1");
    long postmaster;
    try (FlagstateProcess first = FlagstateProcess.start(env)) {
      awaitCrawlUnderWay(first);
      postmaster = postmasterPid(dataDir);
      List<ProcessHandle> watchdogs =
          ProcessHandle.of(first.pid())
              .orElseThrow()
              .children()
              .filter(
                  child ->
                      child.info().command().map(command -> command.endsWith("sh")).orElse(false))
              .toList();
      assertThat(watchdogs).as("the watchdog shell of the embedded PostgreSQL").hasSize(1);
      first.kill();
      first.awaitExit(Duration.ofSeconds(30));
      watchdogs.forEach(ProcessHandle::destroyForcibly);
    }
    assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive))
        .as("the embedded PostgreSQL outlives a kill -9 of Flagstate and of its watchdog")
        .contains(true);

    long restartedAt = System.nanoTime();
    try (FlagstateProcess second = FlagstateProcess.start(env)) {
      second.awaitListening(Duration.ofSeconds(60));
      System.out.printf(
          "kill -9 during the first crawl (watchdog killed too): serving again %d ms after the restart%n",
          (System.nanoTime() - restartedAt) / 1_000_000);
      assertThat(second.log()).contains("left running").contains(Long.toString(postmaster));
      assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive))
          .isNotEqualTo(java.util.Optional.of(true));
      second.awaitSyncs(1, Duration.ofSeconds(120));
      IndexComparison.awaitConvergence(
          registry, path -> second.get(path).body(), Duration.ofSeconds(60));
    }
  }

  @Test
  void killedWhileApplyingEventsTheWatchdogStopsTheServerAndNothingIsLost() throws Exception {
    Path dataDir = Files.createTempDirectory("flagstate-crash-").resolve("pg");
    Map<String, String> env = environment(dataDir, "8");
    RegistryPusher pusher = RegistryPusher.forRegistry(registry);
    long postmaster;
    try (FlagstateProcess first = FlagstateProcess.start(env)) {
      first.awaitSyncs(1, Duration.ofSeconds(120));
      postmaster = postmasterPid(dataDir);
      for (int i = 0; i < 30; i++) {
        pusher.pushImage(
            "apply/repo" + (i % 3), "t" + i, ImageSpec.oci().withSeed("embedded-apply-" + i));
        if (i == 15) {
          first.awaitBodyContaining("/status", "lastAppliedAt", Duration.ofSeconds(30));
        }
      }
      first.kill();
      first.awaitExit(Duration.ofSeconds(30));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false)
        && System.nanoTime() < deadline) {
      FlagstateInstance.sleep(50);
    }
    assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false))
        .as("the watchdog stops the embedded PostgreSQL once its Flagstate is gone")
        .isFalse();

    try (FlagstateProcess second = FlagstateProcess.start(env)) {
      second.awaitSyncs(1, Duration.ofSeconds(120));
      IndexComparison.awaitConvergence(
          registry, path -> second.get(path).body(), Duration.ofSeconds(60));
      JsonObject status =
          new JsonObject(
              second.awaitBodyContaining("/status", "\"pending\" : 0", Duration.ofSeconds(60)));
      assertThat(status.getJsonObject("crawler").getJsonObject("inbox").getLong("pending"))
          .isZero();
    }
  }

  private static Map<String, String> environment(Path dataDir, String concurrency) {
    return Map.of(
        "FLAGSTATE_REGISTRY_URL",
        registry.baseUrl(),
        "FLAGSTATE_DATABASE_DATA_DIR",
        dataDir.toString(),
        "FLAGSTATE_WEBHOOK_PORT",
        Integer.toString(webhookPort),
        "FLAGSTATE_WEBHOOK_TOKEN",
        TOKEN,
        "FLAGSTATE_CRAWL_CONCURRENCY",
        concurrency,
        "FLAGSTATE_CRAWL_INTERVAL",
        "1h");
  }

  private static void awaitCrawlUnderWay(FlagstateProcess flagstate) {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      JsonObject crawler = crawlerStatus(flagstate);
      JsonObject sync = crawler == null ? null : crawler.getJsonObject("sync");
      if (sync != null
          && sync.getInteger("repositoriesDone", 0) > 0
          && sync.getInteger("repositoriesDone") < sync.getInteger("repositoriesTotal", 0)) {
        return;
      }
      if (crawler != null && crawler.getInteger("syncsCompleted", 0) > 0) {
        throw new AssertionError("the first crawl finished before it could be interrupted");
      }
      FlagstateInstance.sleep(10);
    }
    throw new AssertionError(
        "the first crawl did not start within 120 s; log:\n" + flagstate.log());
  }

  /** The crawler part of /status, or null while Flagstate is not listening yet. */
  private static JsonObject crawlerStatus(FlagstateProcess flagstate) {
    try {
      return new JsonObject(flagstate.get("/status").body()).getJsonObject("crawler");
    } catch (RuntimeException notListening) {
      return null;
    }
  }

  private static long postmasterPid(Path dataDir) throws IOException {
    return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).strip());
  }
}
