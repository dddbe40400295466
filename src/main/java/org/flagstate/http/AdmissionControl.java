package org.flagstate.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Bounds the uncached work (database reads and renders) that anonymous requests can start on this
 * node: at most {@code query.max_concurrent} at once, then at most {@code query.max_queued} waiting
 * up to {@code query.queue_timeout}; past that a request is refused at once with {@link Overloaded}
 * (answered 503 with Retry-After, or with the last good bytes), never left hanging. A flood of
 * distinct queries then costs a bounded share of the database and the event loops, and cached
 * answers keep their speed. Shared by every listener instance of the node; a waiter is started on
 * its own Vert.x context.
 */
public final class AdmissionControl {

  /** Refusal because too much uncached work is running and waiting already. */
  public static final class Overloaded extends RuntimeException {
    Overloaded(String message) {
      super(message, null, false, false);
    }
  }

  private final Vertx vertx;
  private final String runningLimit;
  private final int maxRunning;
  private final int maxQueued;
  private final Duration queueTimeout;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger();
  private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final Counter refused;

  private static final class Waiter {
    final Context context;
    final Runnable start;
    final AtomicBoolean claimed = new AtomicBoolean();

    Waiter(Context context, Runnable start) {
      this.context = context;
      this.start = start;
    }
  }

  public AdmissionControl(
      Vertx vertx, int maxRunning, int maxQueued, Duration queueTimeout, MeterRegistry meters) {
    this(
        vertx,
        "flagstate.admission",
        "query.max_concurrent",
        maxRunning,
        maxQueued,
        queueTimeout,
        meters);
  }

  /**
   * @param meterPrefix names its meters ({@code .running}, {@code .queued}, {@code .refused})
   * @param runningLimit what sets {@code maxRunning}, named in refusals
   */
  public AdmissionControl(
      Vertx vertx,
      String meterPrefix,
      String runningLimit,
      int maxRunning,
      int maxQueued,
      Duration queueTimeout,
      MeterRegistry meters) {
    this.vertx = vertx;
    this.runningLimit = runningLimit;
    this.maxRunning = maxRunning;
    this.maxQueued = maxQueued;
    this.queueTimeout = queueTimeout;
    this.refused =
        Counter.builder(meterPrefix + ".refused")
            .description(
                "Uncached requests refused because too much uncached work was running and queued")
            .register(meters);
    Gauge.builder(meterPrefix + ".running", running, AtomicInteger::get)
        .description("Uncached database reads and renders running")
        .register(meters);
    Gauge.builder(meterPrefix + ".queued", queued, AtomicInteger::get)
        .description("Uncached requests waiting for a slot")
        .register(meters);
  }

  /** Runs {@code work} now, or when a slot frees, or fails with {@link Overloaded}. */
  public <T> Future<T> submit(Supplier<Future<T>> work) {
    if (tryAcquire()) {
      return run(work);
    }
    if (queued.incrementAndGet() > maxQueued) {
      queued.decrementAndGet();
      return refuse(
          "too many uncached requests are running and waiting ("
              + runningLimit
              + " "
              + maxRunning
              + ", query.max_queued "
              + maxQueued
              + ")");
    }
    Context context = Vertx.currentContext();
    Promise<T> promise = Promise.promise();
    Waiter waiter = new Waiter(context, () -> run(work).onComplete(promise));
    waiters.add(waiter);
    Runnable expire =
        () -> {
          if (waiter.claimed.compareAndSet(false, true)) {
            queued.decrementAndGet();
            refused.increment();
            promise.tryFail(
                new Overloaded(
                    "waited "
                        + queueTimeout.toMillis()
                        + " ms for a slot of "
                        + runningLimit
                        + " (query.queue_timeout)"));
          }
        };
    (context != null ? context.owner() : vertx)
        .setTimer(
            queueTimeout.toMillis(),
            id -> {
              if (context != null) {
                context.runOnContext(v -> expire.run());
              } else {
                expire.run();
              }
            });
    drain();
    return promise.future();
  }

  private <T> Future<T> refuse(String why) {
    refused.increment();
    return Future.failedFuture(new Overloaded(why));
  }

  private <T> Future<T> run(Supplier<Future<T>> work) {
    Future<T> outcome;
    try {
      outcome = work.get();
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    return outcome.onComplete(
        done -> {
          running.decrementAndGet();
          drain();
        });
  }

  private boolean tryAcquire() {
    int now;
    do {
      now = running.get();
      if (now >= maxRunning) {
        return false;
      }
    } while (!running.compareAndSet(now, now + 1));
    return true;
  }

  /** Hands free slots to waiters, oldest first, each on its own context. */
  private void drain() {
    while (!waiters.isEmpty() && tryAcquire()) {
      Waiter waiter = waiters.poll();
      if (waiter == null || !waiter.claimed.compareAndSet(false, true)) {
        running.decrementAndGet();
        if (waiter == null) {
          return;
        }
        continue;
      }
      queued.decrementAndGet();
      if (waiter.context != null) {
        waiter.context.runOnContext(v -> waiter.start.run());
      } else {
        waiter.start.run();
      }
    }
  }

  /** Uncached work running now. */
  public int running() {
    return running.get();
  }
}
