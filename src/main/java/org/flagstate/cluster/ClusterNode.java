package org.flagstate.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.UUID;

/**
 * This node as the others see it: its id and the members it sees. A node that is not clustered is a
 * cluster of one with an id of its own, so {@code /status} and the crawler lock name nodes the same
 * way in both modes. Membership is only ever a hint (a member that left may have held the crawler
 * lock, so try it now); who crawls is decided by PostgreSQL's advisory lock ({@link CrawlerLock}).
 */
public final class ClusterNode {

  private final String id;
  private final HazelcastClusterManager manager;

  private ClusterNode(String id, HazelcastClusterManager manager) {
    this.id = id;
    this.manager = manager;
  }

  /** A node on its own (cluster.enabled false): NOTIFY carries changes, no other node is seen. */
  public static ClusterNode standalone() {
    return new ClusterNode(UUID.randomUUID().toString(), null);
  }

  /** A member of a Hazelcast cluster, once its Vert.x has joined. */
  public static ClusterNode of(HazelcastClusterManager manager) {
    return new ClusterNode(manager.getNodeId(), manager);
  }

  public String id() {
    return id;
  }

  public boolean clustered() {
    return manager != null;
  }

  /** The ids of the nodes this node sees, itself included. */
  public List<String> members() {
    return manager == null ? List.of(id) : List.copyOf(manager.getNodes());
  }

  /**
   * Runs {@code action} on {@code context} each time a member leaves this node's view (never when
   * standalone).
   */
  public void onMemberLeft(Context context, Runnable action) {
    if (manager == null) {
      return;
    }
    manager
        .getHazelcastInstance()
        .getCluster()
        .addMembershipListener(
            new MembershipListener() {
              @Override
              public void memberAdded(MembershipEvent event) {}

              @Override
              public void memberRemoved(MembershipEvent event) {
                context.runOnContext(v -> action.run());
              }
            });
  }

  /**
   * What {@code /status} shows of the cluster: whether it is one, this node's id, how many nodes it
   * sees, and, when known, the node holding the crawler lock and whether this node sees it.
   */
  public JsonObject status(String crawler) {
    List<String> members = members();
    JsonObject status =
        new JsonObject().put("enabled", clustered()).put("node", id).put("members", members.size());
    if (crawler != null) {
      status.put("crawler", crawler).put("crawlerInView", members.contains(crawler));
    }
    return status;
  }
}
