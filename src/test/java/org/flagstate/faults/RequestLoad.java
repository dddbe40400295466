package org.flagstate.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Steady GET load from a few threads while a test breaks something underneath, recording every
 * answer with its start and end time, so the test can say what was served, what failed and how
 * fast, before, during and after the fault. Times are {@link System#nanoTime()}.
 */
final class RequestLoad implements AutoCloseable {

  /** One request to send: {@code kind} groups the figures ("cached", "uncached", ...). */
  record Probe(String kind, String url) {}

  /** One answer; {@code status} -1 when the request failed without one ({@code error} says why). */
  record Sample(
      String kind,
      String url,
      long startNanos,
      long endNanos,
      int status,
      String retryAfter,
      String contentType,
      String body,
      String error) {

    long millis() {
      return (endNanos - startNanos) / 1_000_000;
    }

    boolean ok() {
      return status == 200 || status == 304;
    }
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final List<Sample> samples = new CopyOnWriteArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong sent = new AtomicLong();

  /**
   * Starts {@code threadCount} threads, each sending what {@code next} gives, one after another.
   */
  RequestLoad(int threadCount, Supplier<Probe> next, Duration pause) {
    for (int i = 0; i < threadCount; i++) {
      Thread thread =
          new Thread(
              () -> {
                while (running.get()) {
                  samples.add(send(next.get()));
                  sent.incrementAndGet();
                  sleep(pause.toMillis());
                }
              },
              "request-load-" + i);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
  }

  static Sample send(Probe probe) {
    long start = System.nanoTime();
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(probe.url()))
                  .timeout(Duration.ofSeconds(60))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new Sample(
          probe.kind(),
          probe.url(),
          start,
          System.nanoTime(),
          response.statusCode(),
          response.headers().firstValue("Retry-After").orElse(null),
          response.headers().firstValue("Content-Type").orElse(null),
          response.body(),
          null);
    } catch (IOException e) {
      return new Sample(
          probe.kind(), probe.url(), start, System.nanoTime(), -1, null, null, null, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Sample(
          probe.kind(), probe.url(), start, System.nanoTime(), -1, null, null, null, "interrupted");
    }
  }

  /** Every answer so far. */
  List<Sample> samples() {
    return List.copyOf(samples);
  }

  /**
   * The answers of {@code kind} that started at or after {@code from} and ended at or before {@code
   * to}.
   */
  List<Sample> within(String kind, long from, long to) {
    return samples.stream()
        .filter(s -> s.kind().equals(kind) && s.startNanos() >= from && s.endNanos() <= to)
        .toList();
  }

  /** The first answer of {@code kind} ending after {@code after} that {@code matches}, or null. */
  Sample first(String kind, long after, Predicate<Sample> matches) {
    return samples.stream()
        .filter(s -> s.kind().equals(kind) && s.endNanos() > after && matches.test(s))
        .min((a, b) -> Long.compare(a.endNanos(), b.endNanos()))
        .orElse(null);
  }

  /**
   * Waits until an answer of {@code kind} ending after {@code after} matches; returns it, or null
   * at the timeout.
   */
  Sample await(String kind, long after, Predicate<Sample> matches, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Sample found = first(kind, after, matches);
      if (found != null) {
        return found;
      }
      sleep(20);
    }
    return null;
  }

  @Override
  public void close() {
    running.set(false);
    for (Thread thread : threads) {
      try {
        thread.join(70_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
