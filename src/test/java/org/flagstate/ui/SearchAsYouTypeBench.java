package org.flagstate.ui;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.flagstate.registry.Digests;
import org.flagstate.search.RepositoryMatch;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.FlagstateProcess;
import org.flagstate.testsupport.TestDatabase;

/**
 * For {@code scripts/bench} part 4: the round trip of the UI's search as you type ({@code
 * /v1/search?n=8&q=…}, what the page sends after each pause in typing) with 10,000 repositories in
 * the index. The shipped jar serves a database filled directly with 10,000 repositories of varied
 * names, titles and descriptions (their search documents written with the crawler's own {@link
 * RepositoryMatch#document}); its registry is unreachable, so the crawler leaves the stored index
 * alone. Words are typed a letter at a time, each prefix one request, every one distinct (a cache
 * miss, rendered from PostgreSQL), one request at a time as one person types; the same requests
 * repeated (cache hits) are the reference.
 *
 * <pre>SearchAsYouTypeBench [REPOSITORIES] [WORDS]</pre>
 */
public final class SearchAsYouTypeBench {

  private static final String[] WORDS =
      ("alpine apache api archive audio backup bridge browser build cache calendar "
              + "camera chat clock cloud cockpit code compass compiler console container cron dashboard data database debug "
              + "deploy desktop dictionary disk dns docs draw editor email engine event explorer export file filter firewall "
              + "flatpak font forge gallery game gateway git graph grid guard hello helper http image index inventory ipfs "
              + "java journal kafka kernel keyring ledger library light linux logger mail manager map markdown media meter "
              + "metrics mirror monitor music network node notes office paint photo player podman portal postgres printer "
              + "proxy python queue radio reader redis registry relay report router runtime rust scanner schedule search "
              + "secret server shell signal sketch sound spell sql storage stream sync system terminal timer toolbox "
              + "tracker translate tunnel update vault video viewer vpn wallet weather web wiki worker writer zip")
          .split(" ");
  private static final String[] NAMESPACES = {
    "apps",
    "base",
    "ci",
    "cockpit",
    "community",
    "db",
    "desktop",
    "devel",
    "edge",
    "fedora",
    "flatpak",
    "games",
    "infra",
    "labs",
    "library",
    "media",
    "monitoring",
    "net",
    "office",
    "ops",
    "platform",
    "science",
    "security",
    "tools",
    "web"
  };

  /** Descriptions as image authors write them, with three words filled in. */
  private static final String[] DESCRIPTIONS = {
    "A %s %s for %s",
    "Lightweight %s with %s support",
    "The %s %s, packaged for containers",
    "%s and %s in one image",
    "Minimal %s image",
    "%s server with a %s UI",
    "Command line %s for %s and %s",
    "%s: %s made simple",
    "Runs %s jobs on %s",
    "%s plugin for %s",
    "Official %s %s image",
    "Desktop %s for %s fans"
  };

  public static void main(String[] args) throws Exception {
    int repositories = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int words = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    String database = TestDatabase.createDatabase();
    int deadPort =
        FlagstateInstance
            .freePort(); // nothing listens: the crawler waits, the stored index is served
    try (FlagstateProcess flagstate =
        FlagstateProcess.start(
            Map.of(
                "FLAGSTATE_REGISTRY_URL",
                "http://127.0.0.1:" + deadPort,
                "FLAGSTATE_DATABASE_URL",
                database,
                "FLAGSTATE_CRAWL_INTERVAL",
                "1h"))) {
      flagstate.awaitListening(Duration.ofSeconds(120));
      long filled = System.nanoTime();
      fill(database, repositories);
      System.err.printf(
          Locale.ROOT,
          "filled %d repositories in %.1f s%n",
          repositories,
          (System.nanoTime() - filled) / 1e9);
      List<String> queries = typed(words);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      // warm-up on other words: JIT, prepared statements, PostgreSQL's buffers
      for (String query : typed(words / 2, new Random(7))) {
        roundTrip(http, flagstate.baseUrl(), "warm-" + query);
      }
      double[] misses = measure(http, flagstate.baseUrl(), queries);
      double[] hits = measure(http, flagstate.baseUrl(), queries);
      System.out.printf(
          Locale.ROOT,
          "search as you type at %d repositories: %d keystrokes (distinct prefixes of %d "
              + "words, uncached): p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 < 50 ms)%s%n",
          repositories,
          misses.length,
          words,
          percentile(misses, 50),
          percentile(misses, 90),
          percentile(misses, 99),
          misses[misses.length - 1],
          percentile(misses, 99) < 50 ? "" : "  ABOVE TARGET");
      System.out.printf(
          Locale.ROOT,
          "  reference, the same requests again (answered from the response cache): "
              + "p50 %.1f ms, p99 %.1f ms; ratio uncached/cached p99 %.1f%n",
          percentile(hits, 50),
          percentile(hits, 99),
          percentile(misses, 99) / percentile(hits, 99));
    }
    System.exit(0);
  }

  /**
   * Each word typed a letter at a time, as the page asks after each keystroke (in the worst case,
   * no pauses).
   */
  static List<String> typed(int words) {
    return typed(words, new Random(42));
  }

  private static List<String> typed(int count, Random random) {
    Set<String> queries = new LinkedHashSet<>();
    for (int i = 0; i < count; i++) {
      String word =
          switch (i % 3) {
            case 0 -> WORDS[random.nextInt(WORDS.length)];
            case 1 ->
                WORDS[random.nextInt(WORDS.length)] + " " + WORDS[random.nextInt(WORDS.length)];
            default ->
                NAMESPACES[random.nextInt(NAMESPACES.length)]
                    + "/"
                    + WORDS[random.nextInt(WORDS.length)];
          };
      for (int end = 1; end <= word.length(); end++) {
        queries.add(word.substring(0, end));
      }
    }
    return new ArrayList<>(queries);
  }

  private static double[] measure(HttpClient http, String base, List<String> queries)
      throws Exception {
    double[] millis = new double[queries.size()];
    Integer[] order = new Integer[queries.size()];
    for (int i = 0; i < queries.size(); i++) {
      millis[i] = roundTrip(http, base, queries.get(i));
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(millis[b], millis[a]));
    StringBuilder slowest = new StringBuilder("  slowest:");
    for (int i = 0; i < Math.min(8, order.length); i++) {
      slowest.append(
          String.format(Locale.ROOT, " '%s' %.1f ms", queries.get(order[i]), millis[order[i]]));
    }
    System.err.println(slowest);
    Arrays.sort(millis);
    return millis;
  }

  private static double roundTrip(HttpClient http, String base, String query) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    base
                        + "/v1/search?n=8&q="
                        + URLEncoder.encode(query.strip(), StandardCharsets.UTF_8)))
            .header("Accept-Encoding", "gzip")
            .build();
    long start = System.nanoTime();
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    double elapsed = (System.nanoTime() - start) / 1e6;
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "/v1/search?q=" + query + " answered " + response.statusCode());
    }
    return elapsed;
  }

  static double percentile(double[] sorted, double p) {
    int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /**
   * Repositories with one tagged image each, written as the crawler writes them (search document
   * included).
   */
  private static void fill(String database, int repositories) throws Exception {
    Random random = new Random(1);
    try (Connection connection = TestDatabase.connect(database)) {
      connection.setAutoCommit(false);
      try (PreparedStatement repository =
              connection.prepareStatement(
                  "insert into repository (name, title, "
                      + "description, search_document) select n, t, d, "
                      + RepositoryMatch.document("n", "t", "d")
                      + " from (values (?, ?, ?)) v(n, t, d)");
          PreparedStatement manifest =
              connection.prepareStatement(
                  "insert into manifest (digest, media_type, "
                      + "is_list, size, os, architecture, labels, title, description) values (?, "
                      + "'application/vnd.oci.image.manifest.v1+json', false, 1200, 'linux', ?, ?::jsonb, ?, ?)");
          PreparedStatement tag =
              connection.prepareStatement(
                  "insert into tag (repository_id, name, digest) "
                      + "select id, 'latest', ? from repository where name = ?")) {
        Set<String> names = new LinkedHashSet<>();
        while (names.size() < repositories) {
          String word = WORDS[random.nextInt(WORDS.length)];
          String name =
              NAMESPACES[random.nextInt(NAMESPACES.length)]
                  + "/"
                  + word
                  + (random.nextBoolean() ? "-" + WORDS[random.nextInt(WORDS.length)] : "")
                  + (random.nextInt(3) == 0 ? "" : Integer.toString(random.nextInt(100)));
          names.add(name);
        }
        for (String name : names) {
          String last = name.substring(name.indexOf('/') + 1);
          String title =
              Character.toUpperCase(last.charAt(0)) + last.substring(1).replace('-', ' ');
          String description =
              String.format(
                  Locale.ROOT,
                  DESCRIPTIONS[random.nextInt(DESCRIPTIONS.length)],
                  WORDS[random.nextInt(WORDS.length)],
                  WORDS[random.nextInt(WORDS.length)],
                  WORDS[random.nextInt(WORDS.length)]);
          String digest = Digests.sha256(name.getBytes(StandardCharsets.UTF_8));
          repository.setString(1, name);
          repository.setString(2, title);
          repository.setString(3, description);
          repository.addBatch();
          manifest.setString(1, digest);
          manifest.setString(2, random.nextInt(4) == 0 ? "arm64" : "amd64");
          manifest.setString(
              3, "{\"org.opencontainers.image.description\": \"" + description + "\"}");
          manifest.setString(4, title);
          manifest.setString(5, description);
          manifest.addBatch();
          tag.setString(1, digest);
          tag.setString(2, name);
          tag.addBatch();
        }
        repository.executeBatch();
        manifest.executeBatch();
        tag.executeBatch();
      }
      connection.commit();
      connection.setAutoCommit(true);
      connection.createStatement().execute("analyze");
    }
  }
}
