package org.flagstate.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.flagstate.cluster.ChangeSequence.Verdict.APPLY;
import static org.flagstate.cluster.ChangeSequence.Verdict.DROP_ALL;
import static org.flagstate.cluster.ChangeSequence.Verdict.NOTHING;

import org.junit.jupiter.api.Test;

/**
 * When a clustered node's cache must be dropped whole: a gap, a new crawler term, a silent crawler.
 */
class ChangeSequenceTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void theFirstMessageOfATermDropsEverythingThenChangesInOrderApply() {
    ChangeSequence sequence = new ChangeSequence(0);
    assertThat(sequence.beat("t1", "node-a", 0, SECOND))
        .as("first beat: anything before it is unknown")
        .isEqualTo(DROP_ALL);
    assertThat(sequence.change("t1", 1)).isEqualTo(APPLY);
    assertThat(sequence.change("t1", 2)).isEqualTo(APPLY);
    assertThat(sequence.beat("t1", "node-a", 2, 2 * SECOND)).isEqualTo(NOTHING);
    assertThat(sequence.crawler()).isEqualTo("node-a");
  }

  @Test
  void aChangeBeforeAnyBeatStartsTheTerm() {
    ChangeSequence sequence = new ChangeSequence(0);
    assertThat(sequence.change("t1", 7)).isEqualTo(DROP_ALL);
    assertThat(sequence.change("t1", 8)).isEqualTo(APPLY);
    assertThat(sequence.beat("t1", "node-a", 8, SECOND)).isEqualTo(NOTHING);
  }

  @Test
  void aMissedChangeIsNoticedByTheNextChangeOrBeat() {
    ChangeSequence byChange = new ChangeSequence(0);
    byChange.beat("t1", "a", 0, 0);
    assertThat(byChange.change("t1", 2)).as("change 1 never came").isEqualTo(DROP_ALL);
    assertThat(byChange.change("t1", 3)).isEqualTo(APPLY);

    ChangeSequence byBeat = new ChangeSequence(0);
    byBeat.beat("t1", "a", 0, 0);
    byBeat.change("t1", 1);
    assertThat(byBeat.beat("t1", "a", 2, SECOND))
        .as("the beat says 2 were published")
        .isEqualTo(DROP_ALL);
    assertThat(byBeat.beat("t1", "a", 2, 2 * SECOND)).isEqualTo(NOTHING);
  }

  @Test
  void aNewTermDropsEverythingEvenWithoutAGap() {
    ChangeSequence sequence = new ChangeSequence(0);
    sequence.beat("t1", "a", 0, 0);
    sequence.change("t1", 1);
    assertThat(sequence.beat("t2", "b", 0, SECOND))
        .as("a commit of the old crawler may never have been published")
        .isEqualTo(DROP_ALL);
    assertThat(sequence.crawler()).isEqualTo("b");
    assertThat(sequence.change("t2", 1)).isEqualTo(APPLY);
    assertThat(sequence.change("t1", 2)).as("a late change of the old term").isEqualTo(DROP_ALL);
  }

  @Test
  void silenceCountsFromTheStartAndFromTheLastBeat() {
    long silence = ChangeSequence.SILENCE.toNanos();
    ChangeSequence sequence = new ChangeSequence(100);
    assertThat(sequence.silent(100 + silence)).isFalse();
    assertThat(sequence.silent(101 + silence)).as("no crawler heard since the start").isTrue();
    sequence.beat("t1", "a", 0, 10 * SECOND);
    assertThat(sequence.silent(10 * SECOND + silence)).isFalse();
    assertThat(sequence.silent(10 * SECOND + silence + 1)).isTrue();
  }
}
