package org.flagstate.cache;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;

/**
 * Hands the outcome of work shared by a node's event loops (one render, one read that several
 * requests wait for) to each waiter on its own Vert.x context: a Vert.x future would run the
 * waiter's callbacks on the thread that finished the work, another verticle's event loop.
 */
final class Flights {

  private Flights() {}

  /**
   * The outcome of {@code flight} as a future that completes on the calling Vert.x context, if any.
   * {@code handle}, not {@code whenComplete}: the stage that returns would wrap a failure in a new
   * CompletionException, its stack trace filled for nobody, on every refused request of a flood.
   */
  static <T> Future<T> onCallingContext(CompletableFuture<T> flight) {
    Context waiter = Vertx.currentContext();
    Promise<T> promise = Promise.promise();
    flight.handle(
        (value, failure) -> {
          if (waiter == null || waiter == Vertx.currentContext()) {
            promise.complete(value, failure);
          } else {
            waiter.runOnContext(v -> promise.complete(value, failure));
          }
          return null;
        });
    return promise.future();
  }

  /**
   * Completes {@code flight} with {@code value}, or fails it with {@code failure} when not null.
   */
  static <T> void settle(CompletableFuture<T> flight, T value, Throwable failure) {
    if (failure == null) {
      flight.complete(value);
    } else {
      flight.completeExceptionally(failure);
    }
  }
}
