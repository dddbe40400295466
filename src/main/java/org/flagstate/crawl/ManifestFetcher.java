package org.flagstate.crawl;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.flagstate.registry.ImageConfig;
import org.flagstate.registry.ManifestParser;
import org.flagstate.registry.ParsedManifest;
import org.flagstate.registry.RegistryClient;
import org.flagstate.registry.RegistryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a digest the index does not know yet, with what it needs: an image's config blob, a
 * list's members. Content the index cannot hold is recorded as skipped with a log line naming
 * repository and digest; only a failure that retrying later could fix fails the returned future.
 */
final class ManifestFetcher {

  private static final Logger LOG = LoggerFactory.getLogger(ManifestFetcher.class);

  private final RegistryClient registry;
  private final Function<List<String>, Future<Map<String, Boolean>>> knownDigests;

  /**
   * @param knownDigests looks digests up in the index: true = stored, false = known unindexable
   */
  ManifestFetcher(
      RegistryClient registry, Function<List<String>, Future<Map<String, Boolean>>> knownDigests) {
    this.registry = registry;
    this.knownDigests = knownDigests;
  }

  /**
   * Fetches every digest the index does not know; one that fails transiently is left out (and so
   * stays unsettled) with a log line, the others are collected.
   */
  Future<FetchedManifests> fetchUnknown(
      String repository, Collection<String> digests, Map<String, Boolean> known) {
    FetchedManifests fetched = new FetchedManifests();
    List<Future<Boolean>> fetches = new ArrayList<>();
    for (String digest : digests) {
      if (!known.containsKey(digest)) {
        fetches.add(
            fetch(repository, digest, fetched)
                .recover(
                    failure -> {
                      LOG.warn(
                          "Repository {} manifest {} could not be fetched, will retry: {}",
                          repository,
                          digest,
                          failure.getMessage());
                      return Future.succeededFuture(false);
                    }));
      }
    }
    return Future.all(fetches).map(fetched);
  }

  /** Adds the digest (and members, for a list) to {@code into}; true when it is indexable. */
  Future<Boolean> fetch(String repository, String digest, FetchedManifests into) {
    return registry
        .manifest(repository, digest)
        .map(ManifestParser::parse)
        .compose(
            parsed -> {
              if (parsed instanceof ParsedManifest.Image image) {
                return fetchImage(repository, image, into);
              }
              if (parsed instanceof ParsedManifest.ImageList list) {
                return fetchList(repository, list, into);
              }
              return skip(repository, digest, ((ParsedManifest.Unsupported) parsed).reason(), into);
            })
        .recover(
            failure ->
                permanent(failure)
                    ? skip(repository, digest, failure.getMessage(), into)
                    : Future.failedFuture(failure));
  }

  private Future<Boolean> fetchImage(
      String repository, ParsedManifest.Image image, FetchedManifests into) {
    return registry
        .blob(repository, image.configDigest())
        .compose(
            blob -> {
              ImageConfig config;
              try {
                config = ManifestParser.parseConfig(blob);
              } catch (IllegalArgumentException e) {
                return skip(repository, image.digest(), e.getMessage(), into);
              }
              if (!config.ignoredLabels().isEmpty()) {
                LOG.warn(
                    "Repository {} image {}: labels {} have non-string values or NUL characters and are left out of the index",
                    repository,
                    image.digest(),
                    config.ignoredLabels());
              }
              into.images.add(new FetchedManifests.Image(image, config));
              return Future.succeededFuture(true);
            });
  }

  private Future<Boolean> fetchList(
      String repository, ParsedManifest.ImageList list, FetchedManifests into) {
    List<String> memberDigests =
        list.members().stream().map(ParsedManifest.Member::digest).distinct().toList();
    return knownDigests
        .apply(memberDigests)
        .compose(
            known -> {
              List<Future<Boolean>> fetches = new ArrayList<>();
              for (String member : memberDigests) {
                fetches.add(
                    known.containsKey(member)
                        ? Future.succeededFuture(known.get(member))
                        : fetchMember(repository, list.digest(), member, into));
              }
              return Future.all(fetches)
                  .compose(
                      done -> {
                        Set<String> indexable = new HashSet<>();
                        for (int i = 0; i < memberDigests.size(); i++) {
                          if (Boolean.TRUE.equals(done.resultAt(i))) {
                            indexable.add(memberDigests.get(i));
                          }
                        }
                        List<ParsedManifest.Member> kept =
                            list.members().stream()
                                .filter(m -> indexable.contains(m.digest()))
                                .toList();
                        if (kept.isEmpty()) {
                          return skip(
                              repository,
                              list.digest(),
                              "list has no image members the index can hold",
                              into);
                        }
                        into.lists.add(new FetchedManifests.ImageList(list, kept));
                        return Future.succeededFuture(true);
                      });
            });
  }

  private Future<Boolean> fetchMember(
      String repository, String listDigest, String member, FetchedManifests into) {
    return registry
        .manifest(repository, member)
        .map(ManifestParser::parse)
        .compose(
            parsed -> {
              if (parsed instanceof ParsedManifest.Image image) {
                return fetchImage(repository, image, into);
              }
              if (parsed instanceof ParsedManifest.ImageList) {
                return skip(repository, member, "nested list inside list " + listDigest, into);
              }
              return skip(
                  repository,
                  member,
                  ((ParsedManifest.Unsupported) parsed).reason() + " inside list " + listDigest,
                  into);
            })
        .recover(
            failure ->
                permanent(failure)
                    ? skip(repository, member, failure.getMessage(), into)
                    : Future.failedFuture(failure));
  }

  private static Future<Boolean> skip(
      String repository, String digest, String untrustedReason, FetchedManifests into) {
    String reason = untrustedReason.replace("\0", "\\u0000");
    LOG.warn("Repository {} manifest {} skipped: {}", repository, digest, reason);
    into.skipped.add(new FetchedManifests.Skipped(digest, repository, reason));
    return Future.succeededFuture(false);
  }

  private static boolean permanent(Throwable failure) {
    return failure instanceof RegistryException e && e.isPermanent();
  }
}
