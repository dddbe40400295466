package org.flagstate.crawl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.flagstate.bus.IndexChanged;
import org.flagstate.registry.RegistryClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One full pass over the registry: the catalog, then each repository's tags resolved by HEAD, only
 * unknown digests fetched, each repository written in its own transaction. Repositories that left
 * the catalog leave the index. A repository that fails keeps what the index had for it.
 */
final class FullSync {

  private static final Logger LOG = LoggerFactory.getLogger(FullSync.class);

  private final RegistryClient registry;
  private final IndexWriter writer;
  private final ManifestFetcher fetcher;
  private final RepositoryLocks locks;
  private final CrawlProgress progress;
  private final int parallelRepositories;
  private final Consumer<IndexChanged> committed;

  /**
   * @param committed told each change this sync committed (caches hear of it by NOTIFY on their
   *     own)
   */
  FullSync(
      RegistryClient registry,
      IndexWriter writer,
      ManifestFetcher fetcher,
      RepositoryLocks locks,
      CrawlProgress progress,
      int parallelRepositories,
      Consumer<IndexChanged> committed) {
    this.registry = registry;
    this.writer = writer;
    this.fetcher = fetcher;
    this.locks = locks;
    this.progress = progress;
    this.parallelRepositories = parallelRepositories;
    this.committed = committed;
  }

  Future<Void> run() {
    progress.syncStarted();
    return registry
        .catalog()
        .compose(
            catalog -> {
              List<String> repositories = List.copyOf(new LinkedHashSet<>(catalog));
              progress.catalogRead(repositories.size());
              LOG.info("Registry catalog lists {} repositories", repositories.size());
              return forEach(repositories, this::syncRepository)
                  .compose(v -> writer.removeRepositoriesNotIn(repositories))
                  .map(
                      removed -> {
                        if (!removed.repositories().isEmpty()) {
                          LOG.info(
                              "Removed {} repositories that left the registry's catalog: {}",
                              removed.repositories().size(),
                              removed.repositories());
                          committed.accept(removed);
                        }
                        return null;
                      });
            });
  }

  /** Syncs one repository; never fails (a failure is logged and counted). */
  Future<Void> syncRepository(String repository) {
    return locks
        .withRepository(repository, () -> resolveAndStore(repository))
        .onSuccess(
            fetched -> progress.repositoryDone(fetched.manifestCount(), fetched.skipped.size()))
        .recover(
            failure -> {
              LOG.warn(
                  "Repository {} could not be synced, keeping what the index had: {}",
                  repository,
                  failure.getMessage());
              progress.repositoryFailed(repository + ": " + failure.getMessage());
              return Future.succeededFuture();
            })
        .mapEmpty();
  }

  private Future<FetchedManifests> resolveAndStore(String repository) {
    return registry
        .tags(repository)
        .compose(tags -> resolveTags(repository, tags))
        .compose(
            heads -> {
              List<String> digests =
                  heads.stream().map(TagHead::digest).filter(Objects::nonNull).distinct().toList();
              return writer
                  .knownDigests(digests)
                  .compose(
                      known ->
                          writer
                              .currentTags(repository)
                              .compose(
                                  current ->
                                      fetcher
                                          .fetchUnknown(repository, digests, known)
                                          .compose(
                                              fetched -> {
                                                Map<String, String> tags =
                                                    desiredTags(heads, known, fetched, current);
                                                return writer
                                                    .applyRepository(repository, tags, fetched)
                                                    .map(
                                                        change -> {
                                                          if (!change.repositories().isEmpty()) {
                                                            committed.accept(change);
                                                          }
                                                          return fetched;
                                                        });
                                              })));
            });
  }

  /**
   * What a HEAD of one tag said: its digest, or none because the tag is gone (null digest) or
   * because the request failed in a way a later sync may not ({@code failed}).
   */
  private record TagHead(String tag, String digest, boolean failed) {}

  private Future<List<TagHead>> resolveTags(String repository, List<String> tags) {
    List<Future<TagHead>> heads = new ArrayList<>();
    for (String tag : tags) {
      heads.add(
          registry
              .manifestDigest(repository, tag)
              .map(digest -> new TagHead(tag, digest, false))
              .recover(
                  failure -> {
                    LOG.warn("Repository {} tag {}: {}", repository, tag, failure.getMessage());
                    return Future.succeededFuture(new TagHead(tag, null, true));
                  }));
    }
    return Future.all(heads).map(done -> heads.stream().map(Future::result).toList());
  }

  /**
   * The tags the repository should have: those resolving to a stored or newly fetched digest, plus,
   * for tags whose HEAD or fetch failed transiently, whatever the index had before.
   */
  private static Map<String, String> desiredTags(
      List<TagHead> heads,
      Map<String, Boolean> known,
      FetchedManifests fetched,
      Map<String, String> current) {
    Map<String, String> tags = new HashMap<>();
    for (TagHead head : heads) {
      boolean retryLater =
          head.failed() || head.digest() != null && !fetched.isSettled(head.digest(), known);
      if (head.digest() != null && fetched.isIndexable(head.digest(), known)) {
        tags.put(head.tag(), head.digest());
      } else if (retryLater && current.containsKey(head.tag())) {
        tags.put(head.tag(), current.get(head.tag()));
      }
    }
    return tags;
  }

  /** Runs {@code task} over all items with at most {@code parallelRepositories} at once. */
  private Future<Void> forEach(List<String> items, Function<String, Future<Void>> task) {
    Promise<Void> all = Promise.promise();
    Iterator<String> pending = items.iterator();
    int[] running = {0};
    Runnable[] next = new Runnable[1];
    next[0] =
        () -> {
          while (running[0] < parallelRepositories && pending.hasNext()) {
            running[0]++;
            task.apply(pending.next())
                .onComplete(
                    done -> {
                      running[0]--;
                      next[0].run();
                    });
          }
          if (running[0] == 0 && !pending.hasNext()) {
            all.tryComplete();
          }
        };
    next[0].run();
    return all.future();
  }
}
