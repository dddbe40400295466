package org.flagstate.bus;

/**
 * Every event-bus address Flagstate uses, in one place. Bodies are JSON objects made by the message
 * records of this package, so they cross a clustered event bus without custom codecs; those that go
 * between nodes carry a {@code version} ({@link BusMessages}). The crawler's status and sync
 * addresses are node-local: each node answers for its own crawler.
 */
public final class Addresses {

  /**
   * Request/reply to the crawler for its progress; empty request, reply the JSON shown at {@code
   * GET /status}.
   */
  public static final String CRAWLER_STATUS = "flagstate.crawler.status";

  /**
   * Request/reply asking the crawler for a full sync now (one already running is not cut short);
   * the reply, the crawler status, comes when a sync that started after the request has finished.
   */
  public static final String CRAWLER_SYNC = "flagstate.crawler.sync";

  /**
   * Published by the crawling node after each commit, when nodes are clustered: a {@link
   * SequencedChange} for every node's cache (without a cluster, {@link ChangeNotifications} carries
   * changes by NOTIFY).
   */
  public static final String INDEX_CHANGED = "flagstate.index.changed";

  /**
   * Published by the crawling node every second, when nodes are clustered: a {@link CrawlerBeat}
   * naming the last change it published, so a node that missed one, or hears nothing, knows its
   * cache may be stale.
   */
  public static final String CRAWLER_BEAT = "flagstate.crawler.beat";

  /**
   * Published by the node whose webhook committed new inbox rows, when nodes are clustered: an
   * {@link InboxAppended}; the node that crawls applies them at once (without a cluster: NOTIFY).
   */
  public static final String INBOX_APPENDED = "flagstate.inbox.appended";

  private Addresses() {}
}
