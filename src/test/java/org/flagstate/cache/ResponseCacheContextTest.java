package org.flagstate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Requests from several verticles wait for one render; each is answered on its own context,
 * whichever thread finishes the render.
 */
@ExtendWith(VertxExtension.class)
class ResponseCacheContextTest {

  private static final byte[] BODY = "{\"Results\":[]}".getBytes(StandardCharsets.UTF_8);

  /** The context of a verticle deployed with {@code model}, as a query verticle's would be. */
  private static Future<Context> contextOf(Vertx vertx, ThreadingModel model) {
    Promise<Context> started = Promise.promise();
    return vertx
        .deployVerticle(
            new VerticleBase() {
              @Override
              public Future<?> start() {
                started.complete(context);
                return Future.succeededFuture();
              }
            },
            new DeploymentOptions().setThreadingModel(model))
        .compose(id -> started.future());
  }

  /** A render that stays pending until the test completes it, counting its calls. */
  private static final class PendingRender implements Supplier<Future<RenderedBody>> {
    final AtomicInteger calls = new AtomicInteger();
    final Promise<RenderedBody> body = Promise.promise();

    @Override
    public Future<RenderedBody> get() {
      calls.incrementAndGet();
      return body.future();
    }
  }

  /**
   * Asks {@code cache} for "k" on {@code context} and checks the answer arrives on that same
   * context.
   */
  private static void requestOn(
      Context context,
      ResponseCache cache,
      PendingRender render,
      List<RenderedResponse> answers,
      VertxTestContext test,
      Checkpoint answered,
      Runnable then) {
    context.runOnContext(
        v -> {
          cache
              .get("k", Set.of(), render)
              .onComplete(
                  test.succeeding(
                      response ->
                          test.verify(
                              () -> {
                                assertThat(Vertx.currentContext()).isSameAs(context);
                                assertThat(Context.isOnWorkerThread())
                                    .isEqualTo(context.isWorkerContext());
                                answers.add(response);
                                if (answers.size() == 3) {
                                  assertThat(answers)
                                      .allSatisfy(
                                          answer -> assertThat(answer).isSameAs(answers.get(0)));
                                }
                                answered.flag();
                              })));
          then.run();
        });
  }

  private static void waitersOnThreeContexts(
      Vertx vertx, VertxTestContext test, boolean finishOnFirstContext) {
    ResponseCache cache = new ResponseCache(1 << 20, 1 << 20);
    PendingRender render = new PendingRender();
    List<RenderedResponse> answers = new CopyOnWriteArrayList<>();
    Checkpoint answered = test.checkpoint(3);
    contextOf(vertx, ThreadingModel.EVENT_LOOP)
        .compose(
            first ->
                contextOf(vertx, ThreadingModel.EVENT_LOOP)
                    .compose(
                        second ->
                            contextOf(vertx, ThreadingModel.WORKER)
                                .map(worker -> List.of(first, second, worker))))
        .onComplete(
            test.succeeding(
                contexts -> {
                  Context first = contexts.get(0);
                  Context second = contexts.get(1);
                  Context worker = contexts.get(2);
                  test.verify(() -> assertThat(Set.of(first, second, worker)).hasSize(3));
                  requestOn(
                      first,
                      cache,
                      render,
                      answers,
                      test,
                      answered,
                      () ->
                          requestOn(
                              second,
                              cache,
                              render,
                              answers,
                              test,
                              answered,
                              () ->
                                  requestOn(
                                      worker,
                                      cache,
                                      render,
                                      answers,
                                      test,
                                      answered,
                                      () -> {
                                        test.verify(
                                            () ->
                                                assertThat(render.calls)
                                                    .as("one render for all three")
                                                    .hasValue(1));
                                        if (finishOnFirstContext) {
                                          first.runOnContext(
                                              v -> render.body.complete(RenderedBody.of(BODY)));
                                        } else {
                                          new Thread(
                                                  () -> render.body.complete(RenderedBody.of(BODY)))
                                              .start();
                                        }
                                      })));
                }));
  }

  @Test
  void waitersAreAnsweredOnTheirOwnContextsWhenTheRenderEndsOnAnother(
      Vertx vertx, VertxTestContext test) {
    waitersOnThreeContexts(vertx, test, true);
  }

  @Test
  void waitersAreAnsweredOnTheirOwnContextsWhenTheRenderEndsOffVertx(
      Vertx vertx, VertxTestContext test) {
    waitersOnThreeContexts(vertx, test, false);
  }

  @Test
  void aFailedRenderReachesEveryWaiterOnItsOwnContext(Vertx vertx, VertxTestContext test) {
    ResponseCache cache = new ResponseCache(1 << 20, 1 << 20);
    PendingRender render = new PendingRender();
    Checkpoint failed = test.checkpoint(2);
    contextOf(vertx, ThreadingModel.EVENT_LOOP)
        .compose(
            first ->
                contextOf(vertx, ThreadingModel.EVENT_LOOP).map(second -> List.of(first, second)))
        .onComplete(
            test.succeeding(
                contexts -> {
                  for (Context context : contexts) {
                    context.runOnContext(
                        v ->
                            cache
                                .get("k", Set.of(), render)
                                .onComplete(
                                    test.failing(
                                        cause ->
                                            test.verify(
                                                () -> {
                                                  assertThat(Vertx.currentContext())
                                                      .isSameAs(context);
                                                  assertThat(cause).hasMessage("database down");
                                                  assertThat(cache.cached("k")).isNull();
                                                  failed.flag();
                                                }))));
                  }
                  contexts
                      .get(1)
                      .runOnContext(
                          v ->
                              contexts
                                  .get(0)
                                  .runOnContext(
                                      w -> {
                                        test.verify(() -> assertThat(render.calls).hasValue(1));
                                        render.body.fail(
                                            new IllegalStateException("database down"));
                                      }));
                }));
  }
}
