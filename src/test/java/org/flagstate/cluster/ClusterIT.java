package org.flagstate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.FlagstateProcess;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.IndexComparison;
import org.flagstate.testsupport.PushedImage;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes as users run them (the jar in three JVMs, cluster.enabled, Hazelcast on loopback) on
 * one database, beside the real registry, whose notifications reach one node at a time through a
 * relay. Pushes show on every node within a second whichever node hears of them; kill -9 of the
 * crawling node hands the crawler lock to another within five seconds and nothing is lost; a
 * restarted node rejoins and serves the right index at once. It ends, like every fault test,
 * comparing with a fresh crawl.
 */
class ClusterIT {

  private EventRelay relay;

  private static final String TOKEN = "cluster-events-token";
  private static final Duration VISIBLE = Duration.ofSeconds(1);

  /**
   * The first push after a failover meets a successor whose crawling code has never run (cold JIT)
   * and that reconciles the registry with a full crawl as it takes the lock; issue 10 asks only
   * that such a push be indexed on the survivors. Measured: 0.7 s here, 1.5 s on a loaded CI.
   */
  private static final Duration VISIBLE_AFTER_FAILOVER = Duration.ofSeconds(5);

  private static final Duration TAKEOVER = Duration.ofSeconds(5);

  private final List<AutoCloseable> started = new ArrayList<>();
  private final Map<Integer, FlagstateProcess> nodes = new HashMap<>();
  private final Map<Integer, Integer> webhookPorts = new HashMap<>();
  private String database;
  private String registryUrl;
  private String members;
  private int[] clusterPorts;
  private int[] busPorts;

  @AfterEach
  void stopEverything() {
    nodes.values().forEach(FlagstateProcess::close);
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception ignored) {
        // stopping what is left
      }
    }
  }

  @Test
  void threeNodesServeOneIndexAndSurviveTheCrawlersDeath() throws Exception {
    database = TestDatabase.createDatabase();
    clusterPorts =
        new int[] {
          FlagstateInstance.freePort(), FlagstateInstance.freePort(), FlagstateInstance.freePort()
        };
    busPorts =
        new int[] {
          FlagstateInstance.freePort(), FlagstateInstance.freePort(), FlagstateInstance.freePort()
        };
    members =
        "127.0.0.1:"
            + clusterPorts[0]
            + ",127.0.0.1:"
            + clusterPorts[1]
            + ",127.0.0.1:"
            + clusterPorts[2];
    for (int node = 1; node <= 3; node++) {
      webhookPorts.put(node, FlagstateInstance.freePort());
    }
    relay = EventRelay.start();
    started.add(relay);
    RegistryProcess registry = RegistryProcess.builder().notifications(relay.url(), TOKEN).start();
    started.add(registry);
    registryUrl = registry.baseUrl();
    RegistryPusher pusher = RegistryPusher.forRegistry(registry);
    // the registry retries an event until it is taken, and later events queue behind it
    relay.pointAt(webhookPorts.get(1));
    pusher.pushImage("cluster/seed", "latest", ImageSpec.oci().withSeed("cluster-seed"));

    // node 1 starts alone and takes the crawler lock; 2 and 3 join it
    start(1).awaitSyncs(1, Duration.ofSeconds(120));
    start(2);
    start(3);
    for (int node = 1; node <= 3; node++) {
      awaitStatus(
          node, status -> cluster(status).getInteger("members") == 3, Duration.ofSeconds(60));
    }
    String firstCrawler = nodeId(1);
    for (int node = 1; node <= 3; node++) {
      JsonObject cluster = cluster(status(node));
      assertThat(cluster.getBoolean("enabled")).isTrue();
      assertThat(cluster.getString("crawler"))
          .as("node %d names the crawler", node)
          .isEqualTo(firstCrawler);
      assertThat(cluster.getBoolean("crawlerInView")).isTrue();
    }
    assertThat(List.of(nodeId(1), nodeId(2), nodeId(3))).doesNotHaveDuplicates();
    assertThat(crawlingNodes()).containsExactly(1);
    for (int node = 1; node <= 3; node++) {
      // each node caches the answers a push must change
      nodes.get(node).get("/index/dynamic?repository=cluster/standby");
      nodes.get(node).get("/index/dynamic?repository=cluster/crawler");
    }

    // events reaching a node that does not crawl, then the crawling node itself
    relay.pointAt(webhookPorts.get(2));
    awaitVisibleEverywhere(pusher, "cluster/standby", List.of(1, 2, 3), VISIBLE);
    relay.pointAt(webhookPorts.get(1));
    awaitVisibleEverywhere(pusher, "cluster/crawler", List.of(1, 2, 3), VISIBLE);

    // kill -9 of the crawling node: another takes the lock within five seconds and applies new
    // events
    relay.pointAt(webhookPorts.get(3));
    long killed = System.nanoTime();
    nodes.remove(1).kill();
    int successor = awaitNewCrawler(firstCrawler, List.of(2, 3), TAKEOVER);
    System.out.printf(
        "ClusterIT: node %d holds the crawler lock %.2f s after kill -9 of node 1%n",
        successor, (System.nanoTime() - killed) / 1e9);
    int other = successor == 2 ? 3 : 2;
    relay.pointAt(webhookPorts.get(other));
    PushedImage afterFailover =
        awaitVisibleEverywhere(
            pusher, "cluster/after-failover", List.of(2, 3), VISIBLE_AFTER_FAILOVER);
    assertThat(inbox("cluster/after-failover"))
        .as("events of the push after the failover: stored once, applied")
        .allSatisfy(row -> assertThat(row).isEqualTo("applied"));
    assertThat(afterFailover.digest()).isNotBlank();

    // node 1 comes back: it rejoins, serves the same index at once, and its webhook works
    start(1);
    nodes.get(1).awaitListening(Duration.ofSeconds(60));
    assertThat(nodes.get(1).get("/index/dynamic").body())
        .as("a node that joins late serves what the others serve")
        .isEqualTo(nodes.get(successor).get("/index/dynamic").body());
    for (int node = 1; node <= 3; node++) {
      awaitStatus(
          node, status -> cluster(status).getInteger("members") == 3, Duration.ofSeconds(60));
    }
    assertThat(crawlingNodes()).containsExactly(successor);
    relay.pointAt(webhookPorts.get(1));
    awaitVisibleEverywhere(pusher, "cluster/rejoined", List.of(1, 2, 3), VISIBLE);

    // nothing was lost: every node serves what a fresh crawl of the registry serves
    IndexComparison.awaitConvergence(
        registry, path -> nodes.get(1).get(path).body(), Duration.ofSeconds(10));
    for (String query : List.of("", "?tag=latest", "?repository=cluster/after-failover")) {
      String expected = nodes.get(1).get("/index/dynamic" + query).body();
      for (int node : List.of(2, 3)) {
        assertThat(nodes.get(node).get("/index/dynamic" + query).body())
            .as("node %d, /index/dynamic%s", node, query)
            .isEqualTo(expected);
      }
    }
  }

  private FlagstateProcess start(int node) {
    Map<String, String> environment = new HashMap<>();
    environment.put("FLAGSTATE_DATABASE_URL", database);
    environment.put("FLAGSTATE_REGISTRY_URL", registryUrl);
    environment.put("FLAGSTATE_CRAWL_INTERVAL", "1h");
    environment.put("FLAGSTATE_WEBHOOK_PORT", Integer.toString(webhookPorts.get(node)));
    environment.put("FLAGSTATE_WEBHOOK_TOKEN", TOKEN);
    environment.put("FLAGSTATE_CLUSTER_ENABLED", "true");
    environment.put("FLAGSTATE_CLUSTER_HOST", "127.0.0.1");
    environment.put("FLAGSTATE_CLUSTER_PORT", Integer.toString(clusterPorts[node - 1]));
    environment.put("FLAGSTATE_CLUSTER_BUS_PORT", Integer.toString(busPorts[node - 1]));
    environment.put("FLAGSTATE_CLUSTER_MEMBERS", members);
    environment.put("FLAGSTATE_CLUSTER_NAME", "cluster-it");
    FlagstateProcess process = FlagstateProcess.start(environment);
    nodes.put(node, process);
    process.awaitListening(Duration.ofSeconds(180));
    return process;
  }

  /**
   * Pushes {@code repository:latest} and waits until each of {@code on} serves it; fails when a
   * node needs more than {@code within} from the moment the registry's notification reached
   * Flagstate (the registry's own queue and the push itself are not Flagstate's time).
   */
  private PushedImage awaitVisibleEverywhere(
      RegistryPusher pusher, String repository, List<Integer> on, Duration within) {
    long started = System.nanoTime();
    PushedImage image =
        pusher.pushImage(repository, "latest", ImageSpec.oci().withSeed(repository));
    long pushed = System.nanoTime();
    Map<Integer, Double> seconds = new HashMap<>();
    long deadline = pushed + Duration.ofSeconds(15).toNanos();
    while (seconds.size() < on.size() && System.nanoTime() < deadline) {
      for (int node : on) {
        if (!seconds.containsKey(node)
            && nodes
                .get(node)
                .get("/index/dynamic?repository=" + repository)
                .body()
                .contains(image.digest())) {
          seconds.put(node, (System.nanoTime() - pushed) / 1e9);
        }
      }
      FlagstateInstance.sleep(10);
    }
    long notified = relay.receivedAt("\"" + repository + "\"", started).orElse(pushed);
    seconds.replaceAll((node, fromPush) -> fromPush + (pushed - notified) / 1e9);
    System.out.printf(
        "ClusterIT: %s visible %s s after its notification reached Flagstate (node: seconds)%n",
        repository, seconds);
    assertThat(seconds.keySet())
        .as("nodes serving %s within 15 s", repository)
        .containsExactlyInAnyOrderElementsOf(on);
    assertThat(seconds.values())
        .as("seconds from the push of %s until each node served it", repository)
        .allSatisfy(s -> assertThat(s).isLessThan(within.toMillis() / 1000.0));
    return image;
  }

  private int awaitNewCrawler(String old, List<Integer> candidates, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (int node : candidates) {
        JsonObject status = statusOrNull(node);
        String crawler = status == null ? null : cluster(status).getString("crawler");
        if (crawler != null && !crawler.equals(old)) {
          for (int candidate : candidates) {
            if (crawler.equals(nodeId(candidate))) {
              return candidate;
            }
          }
        }
      }
      FlagstateInstance.sleep(20);
    }
    throw new AssertionError("no surviving node took the crawler lock within " + timeout);
  }

  /** The nodes whose own crawler is not on standby. */
  private List<Integer> crawlingNodes() {
    List<Integer> crawling = new ArrayList<>();
    nodes.forEach(
        (node, process) -> {
          if (!status(node).getJsonObject("crawler").getString("state").startsWith("standby")) {
            crawling.add(node);
          }
        });
    return crawling;
  }

  /** "applied" or "pending" for each inbox row of {@code repository}. */
  private List<String> inbox(String repository) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = TestDatabase.connect(database);
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "select applied_at is not null from inbox where repository = '"
                    + repository
                    + "' order by seq")) {
      while (result.next()) {
        rows.add(result.getBoolean(1) ? "applied" : "pending");
      }
    }
    assertThat(rows).as("inbox rows of %s", repository).isNotEmpty();
    return rows;
  }

  private String nodeId(int node) {
    return Objects.requireNonNull(cluster(status(node)).getString("node"));
  }

  private static JsonObject cluster(JsonObject status) {
    return status
        .getJsonObject("crawler")
        .getJsonObject("cluster", new JsonObject().put("members", 0));
  }

  private JsonObject status(int node) {
    return new JsonObject(nodes.get(node).get("/status").body());
  }

  private JsonObject statusOrNull(int node) {
    try {
      return status(node);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private JsonObject awaitStatus(int node, Predicate<JsonObject> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      last = statusOrNull(node);
      if (last != null && condition.test(last)) {
        return last;
      }
      FlagstateInstance.sleep(100);
    }
    throw new AssertionError(
        "node "
            + node
            + "'s /status did not get there within "
            + timeout
            + ": "
            + last
            + "\nlog:\n"
            + nodes.get(node).log());
  }
}
