package org.flagstate.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flagstate.cluster.EventRelay;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.FlagstateProcess;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.PushedImage;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.flagstate.testsupport.TestDatabase;

/**
 * Benchmarks of several nodes (issue "Cluster"), reported, not asserted: two clustered nodes of the
 * shipped jar on one database beside a registry whose notifications reach one chosen node (through
 * {@link EventRelay}). Measures push-to-visible on the node that does not crawl, the time from kill
 * -9 of the crawling node until an event pushed right after is served by the survivor (repeated,
 * the killed node restarted in between), and cached /index/static throughput of two nodes against
 * one, with wrk.
 */
public final class ClusterBench {

  private static final String TOKEN = "bench-token";
  private static final String QUERY =
      "/index/static?label%3Aorg.flatpak.ref%3Aexists=1&architecture=amd64&os=linux&tag=latest";
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

  private final Map<String, FlagstateProcess> nodes = new ConcurrentHashMap<>();
  private final Map<String, Integer> webhookPorts = new HashMap<>();
  private final Map<String, Integer> clusterPorts = new HashMap<>();
  private final Map<String, Integer> busPorts = new HashMap<>();
  private final String database;
  private final String registryUrl;
  private final EventRelay relay;
  private final RegistryPusher pusher;

  private ClusterBench(String database, RegistryProcess registry, EventRelay relay) {
    this.database = database;
    this.registryUrl = registry.baseUrl();
    this.relay = relay;
    this.pusher = RegistryPusher.forRegistry(registry);
    for (String node : List.of("a", "b")) {
      webhookPorts.put(node, FlagstateInstance.freePort());
      clusterPorts.put(node, FlagstateInstance.freePort());
      busPorts.put(node, FlagstateInstance.freePort());
    }
  }

  public static void main(String[] args) throws Exception {
    int pushes = Integer.getInteger("bench.cluster.pushes", 100);
    int failovers = Integer.getInteger("bench.cluster.failovers", 5);
    int repositories = Integer.getInteger("bench.cluster.repositories", 50);
    int seconds = Integer.getInteger("bench.cluster.seconds", 5);
    int rounds = Integer.getInteger("bench.cluster.rounds", 3);
    String databaseUrl = TestDatabase.createDatabase();
    try (EventRelay relay = EventRelay.start();
        RegistryProcess registry =
            RegistryProcess.builder().notifications(relay.url(), TOKEN).start()) {
      ClusterBench bench = new ClusterBench(databaseUrl, registry, relay);
      // the nodes are JVMs of their own: stop them when this one is interrupted too
      Thread stopNodes = new Thread(() -> bench.nodes.values().forEach(FlagstateProcess::close));
      Runtime.getRuntime().addShutdownHook(stopNodes);
      try {
        bench.run(pushes, failovers, repositories, seconds, rounds);
      } finally {
        bench.nodes.values().forEach(FlagstateProcess::close);
      }
    }
    System.exit(0);
  }

  private void run(int pushes, int failovers, int repositories, int seconds, int rounds)
      throws Exception {
    relay.pointAt(webhookPorts.get("a"));
    BenchRegistry.pushFlatpak(pusher, repositories);
    start("a").awaitSyncs(1, Duration.ofSeconds(300));
    start("b");
    awaitMembers("a", 2);
    awaitMembers("b", 2);
    // the registry retries queued events in order: once this one shows, the backlog from filling it
    // is gone
    awaitVisible("b", push("bench/cluster", "warmup"), Duration.ofSeconds(60));

    relay.pointAt(webhookPorts.get("b"));
    long[] visible = new long[pushes];
    for (int i = 0; i < pushes; i++) {
      visible[i] = awaitVisible("b", push("bench/cluster", "t" + i), Duration.ofSeconds(30));
    }
    Arrays.sort(visible);
    System.out.printf(
        "cluster push-to-visible on the node that does not crawl (notifications to it), %d pushes: "
            + "p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        pushes,
        visible[pushes / 2] / 1e6,
        visible[Math.min(pushes - 1, (int) Math.ceil(pushes * 0.99) - 1)] / 1e6,
        visible[pushes - 1] / 1e6);

    throughput(seconds, rounds);

    String crawler = "a";
    List<Double> failoverSeconds = new ArrayList<>();
    for (int round = 0; round < failovers; round++) {
      String survivor = crawler.equals("a") ? "b" : "a";
      relay.pointAt(webhookPorts.get(survivor));
      long killed = System.nanoTime();
      nodes.remove(crawler).kill();
      PushedImage image = push("bench/failover", "f" + round);
      awaitVisibleSince(
          "survivor " + survivor,
          survivor,
          "bench/failover",
          "f" + round,
          image,
          killed,
          Duration.ofSeconds(60));
      double took = (System.nanoTime() - killed) / 1e9;
      failoverSeconds.add(took);
      System.out.printf(
          "  failover %d: kill -9 of the crawling node %s to the next event served by %s: %.2f s%n",
          round + 1, crawler, survivor, took);
      start(crawler);
      awaitMembers(crawler, 2);
      awaitMembers(survivor, 2);
      crawler = survivor;
    }
    failoverSeconds.sort(null);
    System.out.printf(
        "cluster failover (kill -9 of the crawler to the first event applied by the other node), %d "
            + "rounds: median %.2f s, min %.2f s, max %.2f s%n",
        failovers,
        failoverSeconds.get(failovers / 2),
        failoverSeconds.get(0),
        failoverSeconds.get(failovers - 1));
  }

  /**
   * wrk against one node, then two wrk (half the connections each) against both at once,
   * alternating.
   */
  private void throughput(int seconds, int rounds) throws Exception {
    String a = nodes.get("a").baseUrl() + QUERY;
    String b = nodes.get("b").baseUrl() + QUERY;
    if (!nodes.get("a").get(QUERY).body().equals(nodes.get("b").get(QUERY).body())) {
      throw new IllegalStateException("the two nodes serve different indexes");
    }
    wrk(a, 2, 64, seconds); // warm-up
    wrk(b, 2, 64, seconds);
    List<Double> one = new ArrayList<>();
    List<Double> two = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      one.add(wrk(a, 2, 64, seconds));
      Process first = wrkProcess(a, 1, 32, seconds);
      Process second = wrkProcess(b, 1, 32, seconds);
      two.add(rps(first) + rps(second));
    }
    one.sort(null);
    two.sort(null);
    double single = one.get(rounds / 2);
    double pair = two.get(rounds / 2);
    System.out.printf(
        "cached /index/static (gzip) on this %d-core machine, wrk 64 connections: one node %.0f req/s, "
            + "two nodes %.0f req/s (medians of %d rounds of %d s); ratio two/one %.2f%n",
        Runtime.getRuntime().availableProcessors(), single, pair, rounds, seconds, pair / single);
  }

  private static double wrk(String url, int threads, int connections, int seconds)
      throws Exception {
    return rps(wrkProcess(url, threads, connections, seconds));
  }

  private static Process wrkProcess(String url, int threads, int connections, int seconds)
      throws IOException {
    return new ProcessBuilder(
            "wrk",
            "-t" + threads,
            "-c" + connections,
            "-d" + seconds + "s",
            "--timeout",
            "5s",
            "-H",
            "Accept-Encoding: gzip",
            url)
        .redirectErrorStream(true)
        .start();
  }

  private static double rps(Process wrk) throws Exception {
    String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!wrk.waitFor(60, TimeUnit.SECONDS) || wrk.exitValue() != 0 || out.contains("Non-2xx")) {
      throw new IllegalStateException("wrk failed:\n" + out);
    }
    Matcher m = RPS.matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("cannot read wrk's output:\n" + out);
    }
    return Double.parseDouble(m.group(1));
  }

  private PushedImage push(String repository, String tag) {
    return pusher.pushImage(repository, tag, ImageSpec.oci().withSeed(repository + ":" + tag));
  }

  /** Nanoseconds from now (the push returned) until {@code node} serves the image under its tag. */
  private long awaitVisible(String node, PushedImage image, Duration timeout) {
    long start = System.nanoTime();
    String repository = image.repository();
    awaitVisibleSince(node, node, repository, image.tag(), image, start, timeout);
    return System.nanoTime() - start;
  }

  private void awaitVisibleSince(
      String label,
      String node,
      String repository,
      String tag,
      PushedImage image,
      long since,
      Duration timeout) {
    String query = "/index/dynamic?repository=" + repository + "&tag=" + tag;
    long deadline = since + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (nodes.get(node).get(query).body().contains(image.digest())) {
          return;
        }
      } catch (RuntimeException notYet) {
        // the node may be restarting
      }
      Thread.onSpinWait();
    }
    throw new IllegalStateException(
        label + " did not serve " + repository + ":" + tag + " within " + timeout);
  }

  private FlagstateProcess start(String node) {
    Map<String, String> environment = new HashMap<>();
    environment.put("FLAGSTATE_DATABASE_URL", database);
    environment.put("FLAGSTATE_REGISTRY_URL", registryUrl);
    environment.put("FLAGSTATE_CRAWL_INTERVAL", "1h");
    environment.put("FLAGSTATE_WEBHOOK_PORT", Integer.toString(webhookPorts.get(node)));
    environment.put("FLAGSTATE_WEBHOOK_TOKEN", TOKEN);
    environment.put("FLAGSTATE_CLUSTER_ENABLED", "true");
    environment.put("FLAGSTATE_CLUSTER_HOST", "127.0.0.1");
    environment.put("FLAGSTATE_CLUSTER_PORT", Integer.toString(clusterPorts.get(node)));
    environment.put("FLAGSTATE_CLUSTER_BUS_PORT", Integer.toString(busPorts.get(node)));
    environment.put(
        "FLAGSTATE_CLUSTER_MEMBERS",
        "127.0.0.1:" + clusterPorts.get("a") + ",127.0.0.1:" + clusterPorts.get("b"));
    environment.put("FLAGSTATE_CLUSTER_NAME", "bench");
    FlagstateProcess process = FlagstateProcess.start(environment);
    nodes.put(node, process);
    process.awaitListening(Duration.ofSeconds(120));
    return process;
  }

  private void awaitMembers(String node, int members) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        JsonObject status = new JsonObject(nodes.get(node).get("/status").body());
        if (status.getJsonObject("crawler").getJsonObject("cluster").getInteger("members")
            == members) {
          return;
        }
      } catch (RuntimeException notYet) {
        // starting
      }
      FlagstateInstance.sleep(100);
    }
    throw new IllegalStateException(
        "node " + node + " did not see " + members + " members; log:\n" + nodes.get(node).log());
  }
}
