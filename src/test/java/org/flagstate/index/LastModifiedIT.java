package org.flagstate.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.DeliveryOptions;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.flagstate.bus.Addresses;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Last-Modified of index and API responses comes from the data, not from when a node happened to
 * render: the same on two nodes for the same bytes, unchanged by re-rendering after an unrelated
 * change or after the cache dropped it, later once an included repository changes, and
 * If-Modified-Since agrees.
 */
class LastModifiedIT {

  private static final String QUERY = "/index/dynamic?repository=lm/app";
  private static RegistryProcess registry;
  private static RegistryPusher pusher;
  private static FlagstateInstance crawling;
  private static FlagstateInstance serving;

  @BeforeAll
  static void start() {
    registry = RegistryProcess.builder().start();
    pusher = RegistryPusher.forRegistry(registry);
    pusher.pushImage("lm/app", "latest", ImageSpec.oci().withSeed("lm-app"));
    pusher.pushImage("lm/other", "latest", ImageSpec.oci().withSeed("lm-other"));
    String database = TestDatabase.createDatabase();
    crawling =
        FlagstateInstance.start(
            Map.of(
                "registry.url",
                registry.baseUrl(),
                "database.url",
                database,
                "crawl.interval",
                "1h"));
    crawling.awaitSyncsAfter(0);
    serving =
        FlagstateInstance.start(
            Map.of(
                "registry.url",
                registry.baseUrl(),
                "database.url",
                database,
                "crawl.interval",
                "1h"));
  }

  @AfterAll
  static void stop() {
    serving.close();
    crawling.close();
    registry.close();
  }

  @Test
  void lastModifiedIsWhenTheIncludedDataChanged() {
    HttpResponse<byte[]> first = crawling.get(QUERY);
    String lastModified = first.headers().firstValue("Last-Modified").orElseThrow();
    FlagstateInstance.sleep(1100);

    assertThat(serving.get(QUERY).headers().firstValue("Last-Modified"))
        .as("another node, rendered later")
        .contains(lastModified);
    assertThat(crawling.get(QUERY + "&os=linux").headers().firstValue("Last-Modified"))
        .as("another query over the same data, rendered later")
        .contains(lastModified);

    pusher.pushImage("lm/other", "v2", ImageSpec.oci().withSeed("lm-other-2"));
    sync();
    assertThat(
            eventually(
                () ->
                    crawling
                        .get("/index/dynamic")
                        .headers()
                        .firstValue("Last-Modified")
                        .orElseThrow(),
                value -> !value.equals(lastModified)))
        .as("the whole index includes lm/other")
        .isNotEqualTo(lastModified);
    assertThat(crawling.get(QUERY).headers().firstValue("Last-Modified"))
        .as("re-rendered after an unrelated change")
        .contains(lastModified);
    assertThat(crawling.get(QUERY, "If-Modified-Since", lastModified).statusCode()).isEqualTo(304);

    FlagstateInstance.sleep(1100);
    pusher.pushImage("lm/app", "v2", ImageSpec.oci().withSeed("lm-app-2"));
    sync();
    String changed =
        eventually(
            () -> crawling.get(QUERY).headers().firstValue("Last-Modified").orElseThrow(),
            value -> !value.equals(lastModified));
    assertThat(parse(changed)).isAfter(parse(lastModified));
    assertThat(crawling.get(QUERY, "If-Modified-Since", lastModified).statusCode()).isEqualTo(200);
    assertThat(
            eventually(
                () -> serving.get(QUERY).headers().firstValue("Last-Modified").orElseThrow(),
                changed::equals))
        .as("the other node agrees")
        .isEqualTo(changed);
  }

  @Test
  void theApisLastModifiedIsTheSameOnEveryNode() {
    for (String path :
        java.util.List.of(
            "/api/v1/repositories/lm/app",
            "/api/v1/repositories?limit=1",
            "/api/v1/search?q=lm",
            "/v1/search?q=lm",
            "/v2/_catalog?n=1",
            "/v2/lm/app/tags/list")) {
      String first = crawling.get(path).headers().firstValue("Last-Modified").orElseThrow();
      FlagstateInstance.sleep(1100);
      assertThat(serving.get(path).headers().firstValue("Last-Modified")).as(path).contains(first);
      assertThat(crawling.get(path, "If-Modified-Since", first).statusCode())
          .as(path)
          .isEqualTo(304);
    }
  }

  @Test
  void aNewRepositoryBeyondThePageMovesTheLastModifiedOfListingsWithATotal() {
    java.util.List<String> paths =
        java.util.List.of(
            "/api/v1/repositories?limit=1", "/api/v1/search?q=lm&limit=1", "/v1/search?q=lm&n=1");
    Map<String, String> before = new java.util.HashMap<>();
    for (String path : paths) {
      before.put(path, crawling.get(path).headers().firstValue("Last-Modified").orElseThrow());
    }
    FlagstateInstance.sleep(1100);
    pusher.pushImage("lm/zz-new", "latest", ImageSpec.oci().withSeed("lm-zz-new"));
    sync();
    for (String path : paths) {
      String after =
          eventually(
              () -> serving.get(path).headers().firstValue("Last-Modified").orElseThrow(),
              value -> !value.equals(before.get(path)));
      assertThat(parse(after))
          .as(path + ": the page's repositories are unchanged, its total is not")
          .isAfter(parse(before.get(path)));
      assertThat(serving.get(path, "If-Modified-Since", before.get(path)).statusCode())
          .as(path)
          .isEqualTo(200);
    }
  }

  private static void sync() {
    crawling
        .vertx()
        .eventBus()
        .request(Addresses.CRAWLER_SYNC, null, new DeliveryOptions().setSendTimeout(60_000))
        .await();
  }

  private static ZonedDateTime parse(String httpDate) {
    return ZonedDateTime.parse(httpDate, DateTimeFormatter.RFC_1123_DATE_TIME);
  }

  private static String eventually(
      java.util.function.Supplier<String> value, java.util.function.Predicate<String> done) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String last = value.get();
    while (!done.test(last) && System.nanoTime() < deadline) {
      FlagstateInstance.sleep(100);
      last = value.get();
    }
    return last;
  }
}
