package org.flagstate.bus;

/**
 * Every event-bus address Flagstate uses, in one place. Bodies are JSON objects made by the message
 * records of this package, so they cross a clustered event bus without custom codecs.
 */
public final class Addresses {

  /** Request/reply to the crawler for its progress; empty request, reply the JSON shown at {@code GET /status}. */
  public static final String CRAWLER_STATUS = "flagstate.crawler.status";

  /**
   * Request/reply asking the crawler for a full sync now (one already running is not cut short);
   * the reply, the crawler status, comes when a sync that started after the request has finished.
   */
  public static final String CRAWLER_SYNC = "flagstate.crawler.sync";

  private Addresses() {}
}
