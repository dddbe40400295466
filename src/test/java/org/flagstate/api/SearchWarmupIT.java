package org.flagstate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.flagstate.cache.SearchMemo;
import org.flagstate.db.DatabaseServer;
import org.flagstate.testsupport.RouteTestServer;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The facet groups are read into the node's memo without any search asking: at start, and after the
 * index has changed and then stayed unchanged for the quiet time; not while it keeps changing.
 */
class SearchWarmupIT {

  static final Duration QUIET = Duration.ofMillis(600);

  static RouteTestServer server;
  static DatabaseServer database;
  static Vertx vertx;

  @BeforeAll
  static void start() {
    server = RouteTestServer.prepare(RouteTestServer.STANDARD_SEED);
    database = DatabaseServer.start(server.config().database());
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
    database.close();
    TestDatabase.dropDatabase(server.config().database().url());
  }

  @Test
  void groupsAreReadyAtStartAndOnceTheIndexSettles() throws InterruptedException {
    AtomicLong generation = new AtomicLong();
    SearchMemo memo = new SearchMemo(1 << 20, generation::get);
    vertx
        .deployVerticle(
            new SearchWarmupVerticle(memo, generation::get, database.connectOptions(), 2, QUIET))
        .await();
    assertThat(awaitPrepared(memo, Duration.ofSeconds(10))).as("prepared at start").isTrue();
    assertThat(memo.remembers("facet token ids")).isTrue();

    // a crawl: a change every 150 ms, each one shorter than the quiet time after it
    long changing = System.nanoTime();
    long lastChange = changing;
    boolean preparedWhileChanging = false;
    while (System.nanoTime() - changing < 3 * QUIET.toNanos()) {
      generation.incrementAndGet();
      lastChange = System.nanoTime();
      Thread.sleep(150);
      preparedWhileChanging |= memo.remembers("facet groups");
    }
    assertThat(preparedWhileChanging).as("read while the index kept changing").isFalse();
    assertThat(awaitPrepared(memo, Duration.ofSeconds(10))).as("prepared once settled").isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - lastChange))
        .as("read no sooner than the quiet time after the last change")
        .isGreaterThanOrEqualTo(QUIET);
  }

  private static boolean awaitPrepared(SearchMemo memo, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (memo.remembers("facet groups")) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }
}
