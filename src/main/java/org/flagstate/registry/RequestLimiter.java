package org.flagstate.registry;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Caps the registry requests in flight; the rest wait in order. Used from one event loop only (the
 * crawler's), so it needs no locking.
 */
final class RequestLimiter {

  private final int maxInFlight;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int inFlight;

  RequestLimiter(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1");
    }
    this.maxInFlight = maxInFlight;
  }

  <T> Future<T> submit(Supplier<Future<T>> task) {
    Promise<T> result = Promise.promise();
    Runnable start =
        () -> {
          inFlight++;
          Future<T> running;
          try {
            running = task.get();
          } catch (RuntimeException e) {
            running = Future.failedFuture(e);
          }
          running.onComplete(
              outcome -> {
                inFlight--;
                Runnable next = waiting.poll();
                if (next != null) {
                  next.run();
                }
                result.handle(outcome);
              });
        };
    if (inFlight < maxInFlight) {
      start.run();
    } else {
      waiting.add(start);
    }
    return result.future();
  }
}
