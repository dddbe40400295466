package org.flagstate.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.flagstate.bus.Addresses;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * Two Flagstate nodes on one database: exactly one crawls, both serve the same index, and when the
 * crawling node goes away the other takes over.
 */
class TwoNodesIT {

  @Test
  void oneNodeCrawlsBothServeAndTheOtherTakesOver() {
    String database = TestDatabase.createDatabase();
    try (RegistryProcess registry = RegistryProcess.builder().start()) {
      RegistryPusher pusher = RegistryPusher.forRegistry(registry);
      pusher.pushImage("nodes/first", "latest", ImageSpec.oci().withSeed("first"));
      Map<String, String> settings =
          Map.of(
              "registry.url", registry.baseUrl(), "database.url", database, "crawl.interval", "1h");
      FlagstateInstance first = FlagstateInstance.start(settings);
      try (FlagstateInstance second = FlagstateInstance.start(settings)) {
        first.awaitSyncsAfter(0);
        JsonObject standby =
            second
                .awaitStatus(
                    s -> s.getJsonObject("crawler").getString("state").startsWith("standby"),
                    Duration.ofSeconds(30))
                .getJsonObject("crawler");
        assertThat(standby.getInteger("syncsCompleted")).isZero();
        assertThat(new String(second.get("/index/dynamic").body())).contains("nodes/first");

        pusher.pushImage("nodes/changed", "latest", ImageSpec.oci().withSeed("changed"));
        first.vertx().eventBus().request(Addresses.CRAWLER_SYNC, null).await();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!new String(second.get("/index/dynamic").body()).contains("nodes/changed")
            && System.nanoTime() < deadline) {
          FlagstateInstance.sleep(20);
        }
        assertThat(new String(second.get("/index/dynamic").body()))
            .as("the standby node's cached response was dropped by the leader's NOTIFY")
            .contains("nodes/changed");

        pusher.pushImage("nodes/second", "latest", ImageSpec.oci().withSeed("second"));
        first.close();
        second.awaitSyncsAfter(0);
        assertThat(new String(second.get("/index/static").body())).contains("nodes/second");
      } finally {
        first.close();
      }
    }
  }
}
