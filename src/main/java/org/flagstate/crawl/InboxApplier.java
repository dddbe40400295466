package org.flagstate.crawl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.flagstate.bus.IndexChanged;
import org.flagstate.inbox.InboxStore;
import org.flagstate.inbox.RegistryEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the registry events waiting in the inbox. All pending events of a repository are folded,
 * in arrival order, onto its current tags and written in one transaction that also marks them
 * applied: a burst of pushes costs one write, and a crash leaves each event either applied or
 * pending. Repositories proceed in parallel; one that fails (registry unreachable) keeps its events
 * pending and is retried with backoff while the others go on.
 */
final class InboxApplier {

  /** What one pass applied. */
  record Pass(int events, int repositories, int failedRepositories, boolean more) {}

  private static final Logger LOG = LoggerFactory.getLogger(InboxApplier.class);
  private static final int BATCH = 5000;
  private static final Duration FIRST_RETRY = Duration.ofMillis(500);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);
  private static final Duration COALESCE = Duration.ofMillis(10);

  private final Vertx vertx;
  private final InboxStore inbox;
  private final IndexWriter writer;
  private final ManifestFetcher fetcher;
  private final RepositoryLocks locks;
  private final Consumer<IndexChanged> committed;
  private boolean draining;
  private boolean wokenWhileDraining;
  private int failuresInARow;
  private long retryTimer = -1;
  private long wakeTimer = -1;

  InboxApplier(
      Vertx vertx,
      InboxStore inbox,
      IndexWriter writer,
      ManifestFetcher fetcher,
      RepositoryLocks locks,
      Consumer<IndexChanged> committed) {
    this.vertx = vertx;
    this.inbox = inbox;
    this.writer = writer;
    this.fetcher = fetcher;
    this.locks = locks;
    this.committed = committed;
  }

  /**
   * Starts a pass shortly, or right after the running one. The short wait lets a burst of events
   * arrive first, so it is applied in one pass instead of one pass per event.
   */
  void wake() {
    if (draining || wakeTimer >= 0) {
      wokenWhileDraining |= draining;
      return;
    }
    wakeTimer =
        vertx.setTimer(
            COALESCE.toMillis(),
            id -> {
              wakeTimer = -1;
              pass();
            });
  }

  private void pass() {
    if (draining) {
      wokenWhileDraining = true;
      return;
    }
    draining = true;
    wokenWhileDraining = false;
    vertx.cancelTimer(retryTimer);
    applyPending()
        .onComplete(
            outcome -> {
              draining = false;
              if (outcome.failed() || outcome.result().failedRepositories() > 0) {
                failuresInARow++;
                Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(failuresInARow, 10));
                wait = wait.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait;
                if (outcome.failed()) {
                  LOG.warn(
                      "Applying registry events failed: {}; retrying in {} ms",
                      outcome.cause().getMessage(),
                      wait.toMillis());
                }
                retryTimer = vertx.setTimer(wait.toMillis(), id -> pass());
              } else {
                failuresInARow = 0;
                if (wokenWhileDraining || outcome.result().more()) {
                  wake();
                }
              }
            });
  }

  /** Applies until the inbox is empty or a pass leaves events pending; for the replay at start. */
  Future<Void> replay() {
    return applyPending()
        .compose(
            pass -> {
              if (pass.events() > 0) {
                LOG.info(
                    "Replayed {} stored registry events for {} repositories",
                    pass.events(),
                    pass.repositories());
              }
              return pass.more() && pass.failedRepositories() == 0
                  ? replay()
                  : Future.succeededFuture();
            });
  }

  private Future<Pass> applyPending() {
    return inbox
        .pending(BATCH)
        .compose(
            events -> {
              Map<String, List<InboxStore.Pending>> byRepository = new LinkedHashMap<>();
              for (InboxStore.Pending pending : events) {
                byRepository
                    .computeIfAbsent(pending.event().repository(), name -> new ArrayList<>())
                    .add(pending);
              }
              List<Future<Void>> applies = new ArrayList<>();
              byRepository.forEach(
                  (repository, repositoryEvents) ->
                      applies.add(
                          locks
                              .withRepository(repository, () -> apply(repository, repositoryEvents))
                              .onFailure(
                                  failure ->
                                      LOG.warn(
                                          "Events for repository {} stay pending: {}",
                                          repository,
                                          failure.getMessage()))));
              return Future.join(applies)
                  .transform(
                      done -> {
                        int failed = (int) applies.stream().filter(Future::failed).count();
                        return Future.succeededFuture(
                            new Pass(
                                events.size(),
                                byRepository.size(),
                                failed,
                                events.size() == BATCH));
                      });
            });
  }

  private Future<Void> apply(String repository, List<InboxStore.Pending> events) {
    return writer
        .currentTags(repository)
        .compose(
            current -> {
              Map<String, String> tags =
                  fold(current, events.stream().map(InboxStore.Pending::event).toList());
              Set<String> digests = new LinkedHashSet<>(tags.values());
              return writer
                  .knownDigests(List.copyOf(digests))
                  .compose(
                      known ->
                          fetcher
                              .fetchUnknown(repository, digests, known)
                              .compose(
                                  fetched -> {
                                    Map<String, String> indexed = new HashMap<>();
                                    for (Map.Entry<String, String> tag : tags.entrySet()) {
                                      if (!fetched.isSettled(tag.getValue(), known)) {
                                        return Future.failedFuture(
                                            "manifest "
                                                + tag.getValue()
                                                + " of tag "
                                                + tag.getKey()
                                                + " could not be fetched yet");
                                      }
                                      if (fetched.isIndexable(tag.getValue(), known)) {
                                        indexed.put(tag.getKey(), tag.getValue());
                                      }
                                    }
                                    return writer
                                        .applyRepository(repository, indexed, fetched, events)
                                        .map(
                                            change -> {
                                              committed.accept(change);
                                              return null;
                                            });
                                  }));
            });
  }

  /**
   * The repository's tags after the events, in order: pushes by tag move tags, deletes remove them.
   */
  static Map<String, String> fold(Map<String, String> current, List<RegistryEvent> events) {
    Map<String, String> tags = new HashMap<>(current);
    for (RegistryEvent event : events) {
      if (event.isPush()) {
        if (event.tag() != null && event.digest() != null) {
          tags.put(event.tag(), event.digest());
        }
      } else if (event.tag() != null) {
        tags.remove(event.tag());
      } else {
        tags.values().removeIf(event.digest()::equals);
      }
    }
    return tags;
  }
}
