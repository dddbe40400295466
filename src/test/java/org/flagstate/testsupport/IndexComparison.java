package org.flagstate.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * The one check every fault test ends with: the index Flagstate serves equals, byte for byte, the
 * index a brand-new Flagstate builds by crawling the registry from scratch.
 */
public final class IndexComparison {

  private static final String[] QUERIES = {
    "", "?label%3Aorg.flatpak.ref%3Aexists=1&architecture=amd64&os=linux&tag=latest", "?tag=latest"
  };

  private IndexComparison() {}

  /** What a fresh crawl of {@code registry} serves for each of the compared queries. */
  public static Map<String, String> freshCrawl(RegistryProcess registry) {
    try (FlagstateInstance fresh =
        FlagstateInstance.start(
            Map.of(
                "registry.url",
                registry.baseUrl(),
                "database.url",
                TestDatabase.createDatabase(),
                "crawl.interval",
                "1h"))) {
      fresh.awaitSyncsAfter(0);
      return serve(path -> body(fresh.get(path).body()));
    }
  }

  /**
   * Waits until {@code served} (GET of a path on the Flagstate under test) answers what a fresh
   * crawl answers, for every compared query; fails with the difference otherwise.
   */
  public static void awaitConvergence(
      RegistryProcess registry, Function<String, String> served, Duration timeout) {
    Map<String, String> expected = freshCrawl(registry);
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, String> actual = serve(served);
    while (!actual.equals(expected) && System.nanoTime() < deadline) {
      FlagstateInstance.sleep(200);
      actual = serve(served);
    }
    assertThat(actual)
        .as("index after the fault vs. a fresh crawl of the registry")
        .isEqualTo(expected);
  }

  private static Map<String, String> serve(Function<String, String> get) {
    Map<String, String> answers = new java.util.TreeMap<>();
    for (String query : QUERIES) {
      answers.put(query, get.apply("/index/dynamic" + query));
    }
    return answers;
  }

  private static String body(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
