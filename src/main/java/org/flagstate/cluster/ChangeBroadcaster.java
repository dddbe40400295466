package org.flagstate.cluster;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.UUID;
import org.flagstate.bus.Addresses;
import org.flagstate.bus.CrawlerBeat;
import org.flagstate.bus.IndexChanged;
import org.flagstate.bus.SequencedChange;

/**
 * The crawling node's side of {@link ChangeSequence}, when nodes are clustered: publishes each
 * committed {@link IndexChanged} on the event bus after its commit (every node's cache, this one's
 * included, hears it once) and beats every {@link ChangeSequence#BEAT_INTERVAL} while this node
 * holds the crawler lock. A commit that does not reach the bus (the node dies right after it) is
 * covered by the next term: whoever takes the lock next starts a new term, and every node drops its
 * cache on hearing it. Runs on the crawler's context.
 */
public final class ChangeBroadcaster {

  private final Vertx vertx;
  private final Context context;
  private final String node;
  private String term;
  private long seq;
  private long beatTimer = -1;

  public ChangeBroadcaster(Vertx vertx, Context context, String node) {
    this.vertx = vertx;
    this.context = context;
    this.node = node;
  }

  /** This node took the crawler lock: a new term, announced at once and every beat after. */
  public void lockTaken() {
    term = UUID.randomUUID().toString();
    seq = 0;
    vertx.cancelTimer(beatTimer);
    beat();
    beatTimer = vertx.setPeriodic(ChangeSequence.BEAT_INTERVAL.toMillis(), id -> beat());
  }

  /**
   * This node lost (or gave up) the lock: beats stop, so other nodes soon treat the crawler as
   * silent. Commits still in flight are published in the old term.
   */
  public void lockLost() {
    vertx.cancelTimer(beatTimer);
    beatTimer = -1;
  }

  /** Publishes a committed change to every node (nothing before this node's first term). */
  public void committed(IndexChanged change) {
    if (Vertx.currentContext() != context) {
      context.runOnContext(v -> committed(change));
      return;
    }
    if (term == null || (change.repositories().isEmpty() && change.eventsApplied() == 0)) {
      return;
    }
    seq++;
    vertx
        .eventBus()
        .publish(Addresses.INDEX_CHANGED, new SequencedChange(term, seq, change).toJson());
  }

  private void beat() {
    vertx.eventBus().publish(Addresses.CRAWLER_BEAT, new CrawlerBeat(term, node, seq).toJson());
  }
}
