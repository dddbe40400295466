package org.flagstate.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.flagstate.testsupport.FlagstateEnvironment;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.IndexComparison;
import org.flagstate.testsupport.IndexFormat;
import org.flagstate.testsupport.PushedImage;
import org.flagstate.testsupport.PushedIndex;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real registry notifying Flagstate: pushes, lists, retags and deletes appear in the index
 * without a crawl (the reconciliation interval is an hour), and after Flagstate was down or the
 * registry lost its queued events the index converges to what a fresh crawl sees.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventDeliveryIT {

  private static final String TOKEN = "registry-events-token";
  private static final Duration VISIBLE = Duration.ofSeconds(15);

  @RegisterExtension static final FlagstateEnvironment ENVIRONMENT = environment().build();

  RegistryProcess registry;
  RegistryPusher pusher;
  FlagstateInstance flagstate;

  /**
   * A registry notifying a Flagstate that reconciles hourly: what the index shows came from events.
   */
  static FlagstateEnvironment.Builder environment() {
    return FlagstateEnvironment.builder().notifications(TOKEN);
  }

  @BeforeAll
  void bind(FlagstateInstance flagstate, RegistryProcess registry, RegistryPusher pusher) {
    this.flagstate = flagstate;
    this.registry = registry;
    this.pusher = pusher;
  }

  String index(String query) {
    return new String(flagstate.get("/index/dynamic" + query).body(), StandardCharsets.UTF_8);
  }

  JsonObject awaitIndex(String query, Predicate<JsonObject> condition) {
    long deadline = System.nanoTime() + VISIBLE.toNanos();
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      last = new JsonObject(index(query));
      if (condition.test(last)) {
        return last;
      }
      FlagstateInstance.sleep(20);
    }
    throw new AssertionError(
        "index" + query + " did not reach the expected state in " + VISIBLE + ": " + last);
  }

  static List<String> tagsOf(JsonObject index, String digest) {
    for (Object result : index.getJsonArray("Results")) {
      for (String kind : List.of("Images", "Lists")) {
        for (Object item : ((JsonObject) result).getJsonArray(kind)) {
          JsonObject object = (JsonObject) item;
          if (object.getString("Digest").equals(digest)) {
            return object.getJsonArray("Tags").stream().map(String.class::cast).toList();
          }
        }
      }
    }
    return List.of();
  }

  @Test
  void aPushByTagAppearsWithoutACrawlAndSaysHowFreshItIs() {
    int syncs = flagstate.syncsCompleted();
    PushedImage image =
        pusher.pushImage("events/app", "latest", ImageSpec.oci().withSeed("events-app"));
    awaitIndex(
        "?repository=events/app", index -> tagsOf(index, image.digest()).equals(List.of("latest")));
    assertThat(flagstate.syncsCompleted()).as("no reconciliation ran").isEqualTo(syncs);
    HttpResponse<byte[]> response = flagstate.get("/index/dynamic?repository=events/app");
    assertThat(response.headers().firstValue("Flagstate-Last-Event")).isPresent();
    assertThat(response.headers().firstValue("Last-Modified")).isPresent();
    JsonObject inbox = flagstate.status().getJsonObject("crawler").getJsonObject("inbox");
    assertThat(inbox.getLong("pending")).isZero();
    assertThat(inbox.getString("lastAppliedAt")).isNotBlank();
  }

  @Test
  void anOciIndexPushedChildrenFirstAppearsWithItsMembers() {
    PushedIndex index =
        pusher.pushMultiArch(
            "events/multi",
            "latest",
            IndexFormat.OCI_INDEX,
            List.of(
                ImageSpec.oci().withPlatform("linux", "amd64", null).withSeed("ev-m-amd64"),
                ImageSpec.oci().withPlatform("linux", "arm64", "v8").withSeed("ev-m-arm64")));
    JsonObject served =
        awaitIndex(
            "?repository=events/multi", i -> tagsOf(i, index.digest()).equals(List.of("latest")));
    JsonArray members =
        served
            .getJsonArray("Results")
            .getJsonObject(0)
            .getJsonArray("Lists")
            .getJsonObject(0)
            .getJsonArray("Images");
    assertThat(members).hasSize(2);
  }

  @Test
  void aDockerManifestListAppears() {
    PushedIndex list =
        pusher.pushMultiArch(
            "events/dockerlist",
            "stable",
            IndexFormat.DOCKER_MANIFEST_LIST,
            List.of(
                ImageSpec.dockerSchema2()
                    .withPlatform("linux", "amd64", null)
                    .withSeed("ev-d-amd64"),
                ImageSpec.dockerSchema2()
                    .withPlatform("linux", "s390x", null)
                    .withSeed("ev-d-s390x")));
    awaitIndex(
        "?repository=events/dockerlist", i -> tagsOf(i, list.digest()).equals(List.of("stable")));
  }

  @Test
  void retaggingAddsAndMovesTags() {
    PushedImage first =
        pusher.pushImage("events/retag", "latest", ImageSpec.oci().withSeed("retag-1"));
    awaitIndex(
        "?repository=events/retag", i -> tagsOf(i, first.digest()).equals(List.of("latest")));
    pusher.tagExisting("events/retag", "v1", first.digest());
    awaitIndex(
        "?repository=events/retag", i -> tagsOf(i, first.digest()).equals(List.of("latest", "v1")));
    PushedImage second =
        pusher.pushImage("events/retag", "latest", ImageSpec.oci().withSeed("retag-2"));
    awaitIndex(
        "?repository=events/retag",
        i ->
            tagsOf(i, first.digest()).equals(List.of("v1"))
                && tagsOf(i, second.digest()).equals(List.of("latest")));
  }

  @Test
  void deleteByDigestRemovesItsTagsAndAnEmptiedRepository() {
    PushedImage doomed =
        pusher.pushImage("events/doomed", "latest", ImageSpec.oci().withSeed("doomed-ev"));
    pusher.tagExisting("events/doomed", "old", doomed.digest());
    awaitIndex(
        "?repository=events/doomed",
        i -> tagsOf(i, doomed.digest()).equals(List.of("latest", "old")));
    pusher.deleteManifest("events/doomed", doomed.digest());
    awaitIndex("?repository=events/doomed", i -> i.getJsonArray("Results").isEmpty());
  }

  /**
   * Searches remember a text's ranking and a match set's facet counts per index generation: after a
   * change, a page they have not answered before (not a cached response) shows it.
   */
  @Test
  void searchesShowAPushAndADeleteOnTheirNextPage() {
    assertThat(searchTotals(1)).containsExactly(0L, 0L);
    PushedImage image =
        pusher.pushImage("events/remembered", "latest", ImageSpec.oci().withSeed("remembered"));
    awaitIndex(
        "?repository=events/remembered", i -> tagsOf(i, image.digest()).equals(List.of("latest")));
    assertThat(searchTotals(2)).containsExactly(1L, 1L);
    pusher.deleteManifest("events/remembered", image.digest());
    awaitIndex("?repository=events/remembered", i -> i.getJsonArray("Results").isEmpty());
    assertThat(searchTotals(3)).containsExactly(0L, 0L);
  }

  /** The totals of {@code /v1/search} and {@code /api/v1/search} for "remembered", pages of n. */
  List<Long> searchTotals(int n) {
    JsonObject v1 = flagstate.getJson("/v1/search?q=remembered&n=" + n);
    JsonObject api = flagstate.getJson("/api/v1/search?q=remembered&limit=" + n);
    return List.of(v1.getLong("num_results"), api.getLong("total"));
  }

  @Test
  void aDuplicateDeliveryChangesNothing() {
    PushedImage image = pusher.pushImage("events/dup", "latest", ImageSpec.oci().withSeed("dup"));
    awaitIndex("?repository=events/dup", i -> tagsOf(i, image.digest()).equals(List.of("latest")));
    // the whole index is compared below: a cached answer from before the push is dropped by NOTIFY
    // a moment later
    awaitIndex("", i -> tagsOf(i, image.digest()).equals(List.of("latest")));
    String before = index("");
    String envelope =
        """
        {"events": [{"id": "duplicate-1", "timestamp": "2026-11-28T10:00:00Z", "action": "push",
          "target": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "%s",
                     "repository": "events/dup", "tag": "latest"}}]}"""
            .formatted(image.digest());
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> response = WebhookClient.post(flagstate.eventsUrl(), TOKEN, envelope);
      assertThat(response.statusCode()).isEqualTo(200);
    }
    FlagstateInstance.sleep(500);
    assertThat(index("")).isEqualTo(before);
  }

  // The two faults below stop Flagstate or the registry, which leaves the registry retrying
  // deliveries after the
  // test; each has an environment of its own so that the shared one's index and inbox stay quiet.

  @Test
  void pushesWhileFlagstateIsDownShowUpAfterItStarts() {
    try (FlagstateEnvironment own = environment().build().start()) {
      own.stopFlagstate();
      own.pusher()
          .pushImage("events/while-down", "latest", ImageSpec.oci().withSeed("while-down-1"));
      own.pusher().pushImage("events/while-down", "v2", ImageSpec.oci().withSeed("while-down-2"));
      FlagstateInstance restarted = own.startFlagstate();
      IndexComparison.awaitConvergence(own.registry(), path -> served(restarted, path), VISIBLE);
    }
  }

  @Test
  void eventsTheRegistryLostAreCaughtByReconciliation() {
    try (FlagstateEnvironment own = environment().build().start()) {
      own.stopFlagstate();
      PushedImage lost =
          own.pusher().pushImage("events/lost", "latest", ImageSpec.oci().withSeed("lost"));
      own.registry().stop();
      own.registry().start();
      FlagstateInstance restarted = own.startFlagstate();
      own.awaitFirstSync();
      assertThat(
              tagsOf(
                  new JsonObject(served(restarted, "/index/dynamic?repository=events/lost")),
                  lost.digest()))
          .containsExactly("latest");
      IndexComparison.awaitConvergence(own.registry(), path -> served(restarted, path), VISIBLE);
    }
  }

  @Test
  void aBurstOfPushesToOneRepositoryConverges() {
    for (int i = 0; i < 60; i++) {
      pusher.pushImage("events/burst", "t" + i, ImageSpec.oci().withSeed("burst-" + i));
    }
    awaitIndex("?repository=events/burst", index -> index.encode().contains("\"t59\""));
    IndexComparison.awaitConvergence(registry, this::served, VISIBLE);
  }

  String served(String path) {
    return served(flagstate, path);
  }

  static String served(FlagstateInstance flagstate, String path) {
    return new String(flagstate.get(path).body(), StandardCharsets.UTF_8);
  }
}
