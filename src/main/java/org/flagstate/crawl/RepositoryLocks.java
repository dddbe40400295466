package org.flagstate.crawl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs work on one repository strictly after the previous work on it, whoever started it (the inbox
 * or a reconciliation), so a repository's writes never interleave. Different repositories run in
 * parallel. Used on the crawler's event loop only.
 */
final class RepositoryLocks {

  private final Map<String, Future<?>> tails = new HashMap<>();

  <T> Future<T> withRepository(String repository, Supplier<Future<T>> work) {
    Future<?> previous = tails.getOrDefault(repository, Future.succeededFuture());
    Promise<T> done = Promise.promise();
    Future<T> result = done.future();
    tails.put(repository, result);
    previous.onComplete(
        ignored -> {
          Future<T> running;
          try {
            running = work.get();
          } catch (RuntimeException e) {
            running = Future.failedFuture(e);
          }
          running.onComplete(
              outcome -> {
                if (tails.get(repository) == result) {
                  tails.remove(repository);
                }
                done.handle(outcome);
              });
        });
    return result;
  }
}
