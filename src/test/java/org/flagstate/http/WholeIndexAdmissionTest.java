package org.flagstate.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.flagstate.cache.IndexFreshness;
import org.flagstate.cache.RenderedBody;
import org.flagstate.cache.ResponseCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Renders of the whole index run no more at once than the whole-index limit allows, inside the
 * node's admission, while other uncached work keeps the rest of the node's slots.
 */
@ExtendWith(VertxExtension.class)
class WholeIndexAdmissionTest {

  private static final int REQUESTS = 6;

  @Test
  void wholeIndexRendersRunOneAtATimeWhileOtherMissesRunAlongside(Vertx vertx) throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    AdmissionControl admission = new AdmissionControl(vertx, 4, 64, Duration.ofSeconds(30), meters);
    AdmissionControl wholeIndex =
        new AdmissionControl(
            vertx, "test.whole_index", "test limit", 1, 64, Duration.ofSeconds(30), meters);
    CachedJsonResponder responder =
        new CachedJsonResponder(
            new ResponseCache(1 << 20, 1 << 20), new IndexFreshness(), admission, wholeIndex);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnceWhole = new AtomicInteger();
    AtomicInteger mostAtOnceOther = new AtomicInteger();
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  boolean whole = request.path().equals("/whole");
                  AtomicInteger most = whole ? mostAtOnceWhole : mostAtOnceOther;
                  Supplier<Future<RenderedBody>> render =
                      () -> {
                        most.accumulateAndGet(running.incrementAndGet(), Math::max);
                        Promise<RenderedBody> done = Promise.promise();
                        vertx.setTimer(
                            100,
                            id -> {
                              running.decrementAndGet();
                              done.complete(RenderedBody.of("{}".getBytes(StandardCharsets.UTF_8)));
                            });
                        return done.future();
                      };
                  String key = request.uri();
                  if (whole) {
                    responder.serveWholeIndex(request, key, Set.of(), "no-cache", render);
                  } else {
                    responder.serve(request, key, Set.of(), "no-cache", render);
                  }
                })
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    HttpClient client = vertx.createHttpClient();
    try {
      for (String path : List.of("/whole", "/other")) {
        running.set(0);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
          statuses.add(
              client
                  .request(HttpMethod.GET, server.actualPort(), "127.0.0.1", path + "?n=" + i)
                  .compose(r -> r.send())
                  .compose(r -> r.body().map(b -> r.statusCode())));
        }
        for (Future<Integer> status : statuses) {
          assertThat(status.await(10, TimeUnit.SECONDS)).isEqualTo(200);
        }
      }
    } finally {
      client.close();
      server.close();
    }

    assertThat(mostAtOnceWhole).as("whole-index renders at once").hasValue(1);
    assertThat(mostAtOnceOther).as("other misses at once").hasValueGreaterThan(1);
  }
}
