package org.flagstate.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class AdmissionControlTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @Test
  void runsUpToTheLimitQueuesTheNextAndRefusesTheRestAtOnce(Vertx vertx, VertxTestContext test) {
    AdmissionControl admission = new AdmissionControl(vertx, 2, 1, Duration.ofSeconds(30), meters);
    List<Promise<String>> work = new ArrayList<>();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v -> {
              List<Future<String>> outcomes = new ArrayList<>();
              for (int i = 0; i < 4; i++) {
                outcomes.add(
                    admission.submit(
                        () -> {
                          Promise<String> promise = Promise.promise();
                          work.add(promise);
                          return promise.future();
                        }));
              }
              test.verify(
                  () -> {
                    assertThat(work).as("started").hasSize(2);
                    assertThat(admission.running()).isEqualTo(2);
                    assertThat(outcomes.get(3).failed())
                        .as("refused at once, past the queue")
                        .isTrue();
                    assertThat(outcomes.get(3).cause())
                        .isInstanceOf(AdmissionControl.Overloaded.class);
                    assertThat(outcomes.get(2).isComplete()).as("queued").isFalse();
                  });
              work.get(0).complete("first");
              vertx.setTimer(
                  50,
                  id ->
                      test.verify(
                          () -> {
                            assertThat(work)
                                .as("the queued one started when a slot freed")
                                .hasSize(3);
                            work.get(1).complete("second");
                            work.get(2).complete("third");
                            assertThat(outcomes.get(2).result()).isEqualTo("third");
                            assertThat(meters.get("flagstate.admission.refused").counter().count())
                                .isEqualTo(1.0);
                            test.completeNow();
                          }));
            });
  }

  @Test
  void aQueuedRequestIsRefusedAfterTheQueueTimeoutAndNeverHangs(Vertx vertx, VertxTestContext test)
      throws InterruptedException {
    AdmissionControl admission = new AdmissionControl(vertx, 1, 5, Duration.ofMillis(100), meters);
    Promise<String> blocking = Promise.promise();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v -> {
              admission.submit(() -> blocking.future());
              long started = System.nanoTime();
              admission
                  .submit(() -> Future.succeededFuture("never"))
                  .onComplete(
                      test.failing(
                          failure ->
                              test.verify(
                                  () -> {
                                    assertThat(failure)
                                        .isInstanceOf(AdmissionControl.Overloaded.class);
                                    assertThat(Duration.ofNanos(System.nanoTime() - started))
                                        .isGreaterThanOrEqualTo(Duration.ofMillis(90));
                                    blocking.complete("done");
                                    vertx.setTimer(
                                        20,
                                        id ->
                                            test.verify(
                                                () -> {
                                                  assertThat(admission.running())
                                                      .as("the expired waiter does not hold a slot")
                                                      .isZero();
                                                  test.completeNow();
                                                }));
                                  })));
            });
    assertThat(test.awaitCompletion(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aWaiterStartsOnItsOwnContext(Vertx vertx, VertxTestContext test) {
    AdmissionControl admission = new AdmissionControl(vertx, 1, 5, Duration.ofSeconds(30), meters);
    Context first = vertx.getOrCreateContext();
    Context second = vertx.getOrCreateContext();
    Promise<String> blocking = Promise.promise();
    first.runOnContext(v -> admission.submit(() -> blocking.future()));
    second.runOnContext(
        v ->
            admission
                .submit(
                    () -> {
                      test.verify(() -> assertThat(Vertx.currentContext()).isSameAs(second));
                      return Future.succeededFuture("started");
                    })
                .onComplete(test.succeeding(result -> test.completeNow())));
    vertx.setTimer(50, id -> first.runOnContext(v -> blocking.complete("done")));
  }

  @Test
  void aFailingOrThrowingRenderFreesItsSlot(Vertx vertx, VertxTestContext test) {
    AdmissionControl admission = new AdmissionControl(vertx, 1, 0, Duration.ofSeconds(1), meters);
    vertx
        .getOrCreateContext()
        .runOnContext(
            v ->
                admission
                    .<String>submit(
                        () -> {
                          throw new IllegalStateException("render broke");
                        })
                    .onComplete(
                        test.failing(
                            failure -> {
                              test.verify(() -> assertThat(admission.running()).isZero());
                              admission
                                  .submit(() -> Future.succeededFuture("next"))
                                  .onComplete(test.succeeding(next -> test.completeNow()));
                            })));
  }
}
