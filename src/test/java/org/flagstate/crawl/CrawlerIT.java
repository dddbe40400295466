package org.flagstate.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.flagstate.bus.Addresses;
import org.flagstate.testsupport.FlagstateEnvironment;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.PushedImage;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The crawler against a real registry that pages its catalog: paging, removal of repositories,
 * fetch-once, change detection feeding the response cache and ETags, progress in {@code /status}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrawlerIT {

  private static final Pattern MANIFEST_BY_DIGEST =
      Pattern.compile("\"GET /v2/\\S+/manifests/sha256:");
  private static final Pattern BLOB = Pattern.compile("\"GET /v2/\\S+/blobs/");

  @RegisterExtension
  static final FlagstateEnvironment ENVIRONMENT =
      FlagstateEnvironment.builder()
          .registry(registry -> registry.catalogMaxEntries(2))
          .seed(CrawlerIT::push)
          .build();

  RegistryProcess registry;
  RegistryPusher pusher;
  FlagstateInstance flagstate;
  String databaseUrl;

  void push(FlagstateEnvironment environment) {
    for (int i = 1; i <= 5; i++) {
      environment
          .pusher()
          .pushImage(
              "paged/repo" + i,
              "latest",
              ImageSpec.oci().withLabel("n", Integer.toString(i)).withSeed("r" + i));
    }
  }

  @BeforeAll
  void bind(FlagstateEnvironment environment) {
    registry = environment.registry();
    pusher = environment.pusher();
    flagstate = environment.flagstate();
    databaseUrl = environment.databaseUrl();
  }

  JsonObject index(String query) {
    return new JsonObject(new String(flagstate.get("/index/dynamic" + query).body()));
  }

  void syncNow() {
    flagstate
        .vertx()
        .eventBus()
        .request(
            Addresses.CRAWLER_SYNC,
            null,
            new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(60_000))
        .await();
  }

  /**
   * Waits (up to 10 s) until {@code served} holds: a sync's changes reach the response cache by
   * PostgreSQL NOTIFY on commit, a moment after the sync replied. Returns either way; the assertion
   * that follows says what is wrong.
   */
  static void awaitServed(BooleanSupplier served) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!served.getAsBoolean() && System.nanoTime() < deadline) {
      FlagstateInstance.sleep(20);
    }
  }

  long registryLogCount(Pattern pattern) throws IOException {
    return Files.readAllLines(registry.logFile()).stream()
        .filter(line -> pattern.matcher(line).find())
        .count();
  }

  long manifestRows(String digest) {
    try (var connection = TestDatabase.connect(databaseUrl);
        var statement =
            connection.prepareStatement("select count(*) from manifest where digest = ?")) {
      statement.setString(1, digest);
      try (var rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void followsCatalogPagesWhenTheRegistryLimitsThem() {
    assertThat(index("").getJsonArray("Results")).hasSize(5);
  }

  @Test
  void statusReportsTheFinishedSyncWithCounts() {
    // the first sync's: later tests may add repositories (paged/doomed stays in the registry's
    // catalog)
    JsonObject crawler = ENVIRONMENT.firstSyncStatus().getJsonObject("crawler");
    assertThat(crawler.getString("state")).isEqualTo("idle");
    JsonObject sync = crawler.getJsonObject("sync");
    assertThat(sync.getInteger("repositoriesTotal")).isEqualTo(5);
    assertThat(sync.getInteger("repositoriesDone")).isEqualTo(5);
    assertThat(sync.getInteger("repositoriesFailed")).isZero();
    assertThat(crawler.getString("lastSyncOutcome")).isEqualTo("ok");
  }

  @Test
  void aSecondSyncFetchesNoManifestOrConfigAgain() throws IOException {
    long manifestsBefore = registryLogCount(MANIFEST_BY_DIGEST);
    long blobsBefore = registryLogCount(BLOB);
    assertThat(manifestsBefore).isGreaterThanOrEqualTo(5);
    syncNow();
    assertThat(registryLogCount(MANIFEST_BY_DIGEST)).isEqualTo(manifestsBefore);
    assertThat(registryLogCount(BLOB)).isEqualTo(blobsBefore);
  }

  @Test
  void aChangeElsewhereKeepsTheEtagAndAChangeInTheResultChangesIt() {
    String query = "/index/static?repository=paged/repo1";
    HttpResponse<byte[]> before = flagstate.get(query);
    String etag = before.headers().firstValue("ETag").orElseThrow();
    String otherEtag =
        flagstate
            .get("/index/static?repository=paged/repo2")
            .headers()
            .firstValue("ETag")
            .orElseThrow();

    pusher.pushImage("paged/repo2", "v2", ImageSpec.oci().withLabel("n", "2b").withSeed("r2b"));
    syncNow();
    awaitServed(
        () ->
            flagstate
                    .get("/index/static?repository=paged/repo2", "If-None-Match", otherEtag)
                    .statusCode()
                != 304);
    assertThat(flagstate.get(query, "If-None-Match", etag).statusCode()).isEqualTo(304);
    assertThat(flagstate.get(query).headers().firstValue("Last-Modified"))
        .isEqualTo(before.headers().firstValue("Last-Modified"));
    HttpResponse<byte[]> changed =
        flagstate.get("/index/static?repository=paged/repo2", "If-None-Match", otherEtag);
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(new String(changed.body())).contains("\"v2\"");
  }

  @Test
  void responsesComeFromTheCacheUntilTheCrawlerReportsAChange() {
    String query = "?repository=paged/repo3";
    assertThat(index(query).encode()).contains("\"n\":\"3\"");
    TestDatabase.execute(
        databaseUrl, "update manifest set labels = '{\"n\":\"edited\"}' where labels->>'n' = '3'");
    assertThat(index(query).encode()).as("served from the cache").contains("\"n\":\"3\"");
    pusher.pushImage("paged/repo3", "another", ImageSpec.oci().withSeed("r3b"));
    syncNow();
    awaitServed(() -> index(query).encode().contains("\"n\":\"edited\""));
    assertThat(index(query).encode())
        .as("re-rendered after the change")
        .contains("\"n\":\"edited\"");
  }

  @Test
  void aRepositoryWhoseManifestsWereAllDeletedLeavesTheIndex() {
    PushedImage doomed =
        pusher.pushImage("paged/doomed", "latest", ImageSpec.oci().withSeed("doomed"));
    syncNow();
    awaitServed(() -> !index("?repository=paged/doomed").getJsonArray("Results").isEmpty());
    assertThat(index("?repository=paged/doomed").getJsonArray("Results")).hasSize(1);
    pusher.deleteManifest("paged/doomed", doomed.digest());
    syncNow();
    awaitServed(() -> index("?repository=paged/doomed").getJsonArray("Results").isEmpty());
    assertThat(index("?repository=paged/doomed").getJsonArray("Results")).isEmpty();
    assertThat(manifestRows(doomed.digest()))
        .as("garbage-collected after the reconciliation")
        .isZero();
    assertThat(index("").getJsonArray("Results")).hasSize(5);
  }

  @Test
  void aDeletedTagLeavesAndTheRestOfTheRepositoryStays() {
    PushedImage extra =
        pusher.pushImage("paged/repo4", "extra", ImageSpec.oci().withSeed("r4-extra"));
    syncNow();
    awaitServed(() -> index("?repository=paged/repo4").encode().contains("\"extra\""));
    assertThat(index("?repository=paged/repo4").encode()).contains("\"extra\"");
    pusher.deleteManifest("paged/repo4", extra.digest());
    syncNow();
    awaitServed(() -> !index("?repository=paged/repo4").encode().contains("\"extra\""));
    String after = index("?repository=paged/repo4").encode();
    assertThat(after).doesNotContain("\"extra\"").contains("\"latest\"");
  }

  @Test
  void whenTheRegistryIsDownFlagstateServesWhatItHasAndRecovers() {
    registry.stop();
    try {
      syncNow();
      JsonObject crawler = flagstate.status().getJsonObject("crawler");
      assertThat(crawler.getString("state")).isEqualTo("waiting for registry");
      assertThat(crawler.getString("lastError")).contains(registry.baseUrl());
      assertThat(index("").getJsonArray("Results")).hasSize(5);
    } finally {
      registry.start();
    }
    flagstate.awaitStatus(
        s -> s.getJsonObject("crawler").getString("state").equals("idle"), Duration.ofSeconds(30));
    assertThat(index("").getJsonArray("Results")).hasSize(5);
  }

  @Test
  void flagstateStartsWithTheRegistryUnreachableAndCatchesUpWhenItAppears() throws Exception {
    RegistryProcess late = RegistryProcess.builder().start();
    RegistryPusher latePusher = RegistryPusher.forRegistry(late);
    latePusher.pushImage("late/app", "latest", ImageSpec.oci().withSeed("late"));
    late.stop();
    try (FlagstateInstance second =
        FlagstateInstance.start(
            Map.of(
                "registry.url",
                late.baseUrl(),
                "database.url",
                TestDatabase.createDatabase(),
                "crawl.start_backoff_max",
                "1s"))) {
      second.awaitStatus(
          s -> s.getJsonObject("crawler").getString("state").equals("waiting for registry"),
          Duration.ofSeconds(30));
      HttpResponse<byte[]> empty = second.get("/index/static");
      assertThat(empty.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(new String(empty.body())).getJsonArray("Results")).isEmpty();
      late.start();
      second.awaitStatus(
          s -> s.getJsonObject("crawler").getInteger("syncsCompleted") >= 1,
          Duration.ofSeconds(30));
      assertThat(new String(second.get("/index/static").body())).contains("late/app");
    } finally {
      late.close();
    }
  }

  @Test
  void aRegistryThatStopsAnsweringTimesOutAndTheSyncReportsIt() throws Exception {
    try (FlagstateEnvironment frozen =
        FlagstateEnvironment.builder()
            .seed(
                (test, environment) ->
                    environment
                        .pusher()
                        .pushImage("frozen/app", "latest", ImageSpec.oci().withSeed("frozen")))
            .setting("crawl.request_timeout", "300ms")
            .setting("crawl.retries", "1")
            .setting("crawl.retry_backoff", "50ms")
            .build()
            .start()) {
      FlagstateInstance impatient = frozen.flagstate();
      long pid = frozen.registry().pid();
      Runtime.getRuntime().exec(new String[] {"kill", "-STOP", Long.toString(pid)}).waitFor();
      try {
        impatient
            .vertx()
            .eventBus()
            .request(
                Addresses.CRAWLER_SYNC,
                null,
                new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(30_000))
            .await();
        JsonObject crawler = impatient.status().getJsonObject("crawler");
        assertThat(crawler.getString("lastError")).containsIgnoringCase("timeout");
        assertThat(new String(impatient.get("/index/static").body())).contains("frozen/app");
      } finally {
        Runtime.getRuntime().exec(new String[] {"kill", "-CONT", Long.toString(pid)}).waitFor();
      }
    }
  }

  @Test
  void basicAuthCredentialsFromConfigAreUsed() {
    try (RegistryProcess secured = RegistryProcess.builder().basicAuth("crawler").start()) {
      RegistryPusher.forRegistry(secured)
          .pushImage("private/app", "latest", ImageSpec.oci().withSeed("private"));
      try (FlagstateInstance withoutCredentials =
          FlagstateInstance.start(
              Map.of(
                  "registry.url",
                  secured.baseUrl(),
                  "database.url",
                  TestDatabase.createDatabase()))) {
        JsonObject crawler =
            withoutCredentials
                .awaitStatus(
                    s -> s.getJsonObject("crawler").containsKey("lastError"),
                    Duration.ofSeconds(30))
                .getJsonObject("crawler");
        assertThat(crawler.getString("lastError")).contains("registry.username");
      }
      try (FlagstateInstance withCredentials =
          FlagstateInstance.start(
              Map.of(
                  "registry.url",
                  secured.baseUrl(),
                  "database.url",
                  TestDatabase.createDatabase(),
                  "registry.username",
                  "crawler",
                  "registry.password",
                  RegistryProcess.TEST_PASSWORD))) {
        withCredentials.awaitSyncsAfter(0);
        assertThat(new String(withCredentials.get("/index/static").body())).contains("private/app");
      }
    }
  }
}
