package org.flagstate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.flagstate.bus.BusMessages;
import org.flagstate.bus.CrawlerBeat;
import org.flagstate.bus.InboxAppended;
import org.flagstate.bus.IndexChanged;
import org.flagstate.bus.SequencedChange;
import org.flagstate.config.FlagstateConfig;
import org.junit.jupiter.api.Test;

/** What crosses between nodes (versioned JSON) and how a node is told to find the others. */
class ClusterMessagesTest {

  private static final FlagstateConfig.Cluster CLUSTER =
      new FlagstateConfig.Cluster(
          true,
          "10.0.0.5",
          5701,
          5702,
          List.of("10.0.0.5:5701", "10.0.0.6:5701"),
          "flagstate-prod");

  @Test
  void messagesRoundTripWithTheirVersion() {
    SequencedChange change =
        new SequencedChange("term", 42, new IndexChanged(List.of("a/b", "c"), 3, 1234L));
    JsonObject json = change.toJson();
    assertThat(json.getInteger("version")).isEqualTo(BusMessages.VERSION);
    assertThat(SequencedChange.read(new JsonObject(json.encode()))).contains(change);

    CrawlerBeat beat = new CrawlerBeat("term", "node", 42);
    assertThat(CrawlerBeat.read(new JsonObject(beat.toJson().encode()))).contains(beat);
    assertThat(new InboxAppended(5).toJson().getInteger("version")).isEqualTo(BusMessages.VERSION);
  }

  @Test
  void aMessageOfAnotherVersionOrFormIsNotRead() {
    JsonObject newer =
        new SequencedChange("t", 1, new IndexChanged(List.of(), 0, 1L))
            .toJson()
            .put("version", BusMessages.VERSION + 1);
    assertThat(SequencedChange.read(newer)).isEmpty();
    assertThat(
            SequencedChange.read(
                new JsonObject().put("version", BusMessages.VERSION).put("term", "t")))
        .as("no change in it")
        .isEmpty();
    assertThat(CrawlerBeat.read("not json")).isEmpty();
    assertThat(CrawlerBeat.read(new JsonObject().put("term", "t").put("node", "n").put("seq", 1)))
        .as("no version")
        .isEmpty();
  }

  @Test
  void hazelcastJoinsTheListedMembersOnlyAndNoticesADeadMemberSoon() {
    Config config = HazelcastCluster.config(CLUSTER);
    assertThat(config.getClusterName()).isEqualTo("flagstate-prod");
    var join = config.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers())
        .containsExactly("10.0.0.5:5701", "10.0.0.6:5701");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5701);
    assertThat(config.getNetworkConfig().isPortAutoIncrement()).isFalse();
    assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(
            Duration.ofSeconds(
                Long.parseLong(config.getProperty("hazelcast.max.no.heartbeat.seconds"))))
        .isLessThanOrEqualTo(Duration.ofSeconds(5));
    assertThat(config.getProperty("hazelcast.local.localAddress")).isEqualTo("10.0.0.5");
    assertThat(config.getMultiMapConfig("__vertx.subs").getValueCollectionType().name())
        .as("Vert.x's own subscription map keeps its configuration")
        .isEqualTo("SET");

    VertxOptions options = HazelcastCluster.eventBus(new VertxOptions(), CLUSTER);
    assertThat(options.getEventBusOptions().getHost()).isEqualTo("10.0.0.5");
    assertThat(options.getEventBusOptions().getPort()).isEqualTo(5702);
  }
}
