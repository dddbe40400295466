package org.flagstate.ui;

import io.vertx.core.json.JsonObject;

/**
 * Reads the crawler's status (the JSON of {@code /status}'s {@code crawler}) for the start page:
 * while no full sync has completed on this node, the page shows the crawl's progress instead of
 * being served from the cache. A node in standby (another node crawls) never shows it.
 */
final class FirstCrawl {

  private FirstCrawl() {}

  /**
   * The progress of the first crawl, or null when one has completed (or this node does not crawl).
   */
  static Views.Progress progress(JsonObject crawler) {
    if (crawler == null || crawler.getInteger("syncsCompleted", 0) > 0) {
      return null;
    }
    String state = crawler.getString("state", "starting");
    if (state.startsWith("standby")) {
      return null;
    }
    JsonObject sync = crawler.getJsonObject("sync", new JsonObject());
    Long eta = sync.getLong("etaSeconds");
    return new Views.Progress(
        state,
        sync.getInteger("repositoriesDone", 0),
        sync.getInteger("repositoriesTotal", 0),
        eta == null || eta < 0 ? null : eta,
        crawler.getString("lastError"));
  }
}
