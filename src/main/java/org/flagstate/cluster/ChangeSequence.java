package org.flagstate.cluster;

import java.time.Duration;

/**
 * What a clustered node's cache makes of the crawler's messages. The event bus delivers each
 * published change once to every node that is connected when it is sent, but a node that was cut
 * off, was reconnecting, or had just joined may miss one; then, as when LISTEN reconnects in the
 * NOTIFY mode, it must drop its whole cache. Changes are numbered within a crawler term and beats
 * repeat the last number, so a gap, a new term (another node, or the same one again, took the
 * crawler lock, and a change committed just before may not have been published) or a silent crawler
 * each mean "drop everything". Not thread-safe: used on one verticle's context.
 */
public final class ChangeSequence {

  /** How often the crawling node beats. */
  public static final Duration BEAT_INTERVAL = Duration.ofSeconds(1);

  /** A node that heard no beat for this long treats itself as cut off from the crawler. */
  public static final Duration SILENCE = Duration.ofSeconds(3);

  /** What to do with the cache. */
  public enum Verdict {
    /** Drop what the change names (the change is the next one expected). */
    APPLY,
    /** Drop everything: something may have been missed. */
    DROP_ALL,
    /** Nothing (a beat confirming nothing was missed). */
    NOTHING
  }

  private String term;
  private long seq;
  private long lastBeatNanos;
  private String crawler;

  /**
   * @param startedNanos when this node started listening: it waits {@link #SILENCE} for a first
   *     beat
   */
  public ChangeSequence(long startedNanos) {
    this.lastBeatNanos = startedNanos;
  }

  /** A published change numbered {@code seq} in {@code term}. */
  public Verdict change(String term, long seq) {
    if (!term.equals(this.term)) {
      this.term = term;
      this.seq = seq;
      return Verdict.DROP_ALL;
    }
    Verdict verdict = seq > this.seq + 1 ? Verdict.DROP_ALL : Verdict.APPLY;
    this.seq = Math.max(this.seq, seq);
    return verdict;
  }

  /**
   * A beat of {@code node} in {@code term}, whose last published change is {@code seq}, heard at
   * {@code nowNanos}.
   */
  public Verdict beat(String term, String node, long seq, long nowNanos) {
    lastBeatNanos = nowNanos;
    crawler = node;
    if (!term.equals(this.term)) {
      this.term = term;
      this.seq = seq;
      return Verdict.DROP_ALL;
    }
    if (seq > this.seq) {
      this.seq = seq;
      return Verdict.DROP_ALL;
    }
    return Verdict.NOTHING;
  }

  /**
   * Whether no beat was heard within {@link #SILENCE} before {@code nowNanos} (or since the start).
   */
  public boolean silent(long nowNanos) {
    return nowNanos - lastBeatNanos > SILENCE.toNanos();
  }

  /** The node of the last beat heard, or null. */
  public String crawler() {
    return crawler;
  }
}
