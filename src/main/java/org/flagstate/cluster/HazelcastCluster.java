package org.flagstate.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import org.flagstate.config.FlagstateConfig;

/**
 * How a Flagstate node joins the others: Vert.x's Hazelcast cluster manager, configured from the
 * {@code cluster.*} settings instead of a cluster.xml, so that an operator configures a node in one
 * place. Members are found by TCP-IP join on the listed addresses only (no multicast, no cloud
 * auto-detection, no phone-home), and a member that stops answering heartbeats leaves the others'
 * view within {@link #MEMBER_TIMEOUT}. Hazelcast holds nothing of Flagstate's but Vert.x's own
 * subscription map: the index lives in PostgreSQL, so a node that leaves loses nothing.
 */
public final class HazelcastCluster {

  /** Heartbeat period between members. */
  static final Duration HEARTBEAT = Duration.ofSeconds(1);

  /**
   * A member silent this long is removed from the others' view (a killed process is noticed sooner,
   * by its closed connections).
   */
  public static final Duration MEMBER_TIMEOUT = Duration.ofSeconds(5);

  private HazelcastCluster() {}

  /** The cluster manager to build the node's Vert.x with. */
  public static HazelcastClusterManager manager(FlagstateConfig.Cluster cluster) {
    return new HazelcastClusterManager(config(cluster));
  }

  /**
   * The event bus listens on {@code cluster.host:cluster.bus_port} and tells the other nodes that
   * address.
   */
  public static VertxOptions eventBus(VertxOptions options, FlagstateConfig.Cluster cluster) {
    options
        .getEventBusOptions()
        .setHost(cluster.host())
        .setPort(cluster.busPort())
        .setClusterPublicHost(cluster.host())
        .setClusterPublicPort(cluster.busPort());
    return options;
  }

  /**
   * Vert.x's default Hazelcast configuration (its subscription maps) with Flagstate's network on
   * top.
   */
  static Config config(FlagstateConfig.Cluster cluster) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Vert.x leaves the cluster in its own close (Flagstate's shutdown hook); Hazelcast's hook
    // would cut it short
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty(
        "hazelcast.heartbeat.interval.seconds", Long.toString(HEARTBEAT.toSeconds()));
    config.setProperty(
        "hazelcast.max.no.heartbeat.seconds", Long.toString(MEMBER_TIMEOUT.toSeconds()));
    config.setProperty("hazelcast.local.localAddress", cluster.host());
    config.setProperty("hazelcast.socket.bind.any", "false");
    // after a network split heals, the halves look for each other every 5 s (Hazelcast's defaults:
    // 300 s, then 120 s)
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    NetworkConfig network = config.getNetworkConfig();
    network
        .setPort(cluster.port())
        .setPortAutoIncrement(false)
        .setPublicAddress(cluster.host() + ":" + cluster.port());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig()
        .setEnabled(true)
        .setConnectionTimeoutSeconds(2)
        .setMembers(cluster.members());
    return config;
  }
}
