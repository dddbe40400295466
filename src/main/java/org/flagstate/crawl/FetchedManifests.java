package org.flagstate.crawl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flagstate.registry.ImageConfig;
import org.flagstate.registry.ParsedManifest;

/**
 * Manifests fetched from the registry for one repository and not stored yet: images with their
 * config, lists with the members kept, and digests judged unindexable. Collected on the crawler's
 * event loop.
 */
final class FetchedManifests {

  /** An image manifest and its config blob, ready to become one {@code manifest} row. */
  record Image(ParsedManifest.Image manifest, ImageConfig config) {}

  /** A list and the members that are images in the index, in manifest order. */
  record ImageList(ParsedManifest.ImageList manifest, List<ParsedManifest.Member> members) {}

  /** A digest the index will not hold, and why. */
  record Skipped(String digest, String repository, String reason) {}

  final List<Image> images = new ArrayList<>();
  final List<ImageList> lists = new ArrayList<>();
  final List<Skipped> skipped = new ArrayList<>();

  /**
   * True when the digest is in the index already ({@code known} true) or was fetched as an image or
   * list.
   */
  boolean isIndexable(String digest, Map<String, Boolean> known) {
    return Boolean.TRUE.equals(known.get(digest))
        || images.stream().anyMatch(i -> i.manifest().digest().equals(digest))
        || lists.stream().anyMatch(l -> l.manifest().digest().equals(digest));
  }

  /** True when the index has a verdict on the digest: indexable, or known to be skipped. */
  boolean isSettled(String digest, Map<String, Boolean> known) {
    return known.containsKey(digest)
        || isIndexable(digest, known)
        || skipped.stream().anyMatch(s -> s.digest().equals(digest));
  }

  boolean isEmpty() {
    return images.isEmpty() && lists.isEmpty() && skipped.isEmpty();
  }

  int manifestCount() {
    return images.size() + lists.size();
  }
}
