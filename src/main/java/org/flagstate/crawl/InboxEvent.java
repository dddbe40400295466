package org.flagstate.crawl;

import java.util.Objects;

/**
 * One stored registry notification the crawler still has to apply: a push of a manifest (by tag, or a
 * tagless child), or a delete by digest or by tag.
 */
record InboxEvent(long seq, String repository, String action, String digest, String tag) {

  InboxEvent {
    Objects.requireNonNull(repository, "repository");
    if (!action.equals("push") && !action.equals("delete")) {
      throw new IllegalArgumentException("action must be push or delete: " + action);
    }
  }

  boolean isPush() {
    return action.equals("push");
  }
}
