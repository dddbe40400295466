package org.flagstate.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.flagstate.http.Bytewise;
import org.flagstate.testsupport.TestSeeds;
import org.junit.jupiter.api.Test;

/**
 * A text's matches, packed in name order with their ranked order beside, must give back every
 * match's id, name and change time in both orders, and find a cursor's place as a linear walk over
 * {@link Bytewise#ORDER} does: seeded random names of ASCII, Latin-1, CJK and characters outside
 * the BMP (whose UTF-16 order differs from their byte order), some prefixes of others.
 */
class TextMatchesTest {

  private static final String[] PIECES = {
    "a", "b", "/", "-", "_", "z", "é", "ß", "日", "😀", "\uFFFD", "0"
  };

  @Test
  void bothOrdersAndCursorsAgreeWithAWalkInBytewiseOrder() {
    long seed = TestSeeds.seed(TextMatchesTest.class);
    Random random = new Random(seed);
    for (int round = 0; round < 200; round++) {
      Set<String> distinct = new LinkedHashSet<>();
      int size = random.nextInt(40);
      while (distinct.size() < size) {
        distinct.add(randomName(random));
      }
      List<String> ranked = new ArrayList<>(distinct);
      long[] ids = new long[size];
      long[] changed = new long[size];
      for (int i = 0; i < size; i++) {
        ids[i] = 1 + random.nextInt(1_000_000);
        changed[i] = random.nextLong(1L << 41);
      }
      TextMatches matches =
          new TextMatches(ids, ranked.toArray(String[]::new), changed, 1234L + round);

      assertThat(matches.size()).isEqualTo(size);
      assertThat(matches.lastModifiedMillis()).isEqualTo(1234L + round);
      for (int rank = 0; rank < size; rank++) {
        assertThat(matches.rankedId(rank)).as("seed %d", seed).isEqualTo(ids[rank]);
      }
      List<String> byName = new ArrayList<>(ranked);
      byName.sort(Bytewise.ORDER);
      for (int k = 0; k < size; k++) {
        int rank = ranked.indexOf(byName.get(k));
        assertThat(matches.name(k)).as("seed %d", seed).isEqualTo(byName.get(k));
        assertThat(matches.id(k)).isEqualTo(ids[rank]);
        assertThat(matches.changedMillis(k)).isEqualTo(changed[rank]);
      }
      for (int probe = 0; probe < 20; probe++) {
        String after =
            size > 0 && random.nextBoolean()
                ? byName.get(random.nextInt(size))
                : randomName(random);
        int expected = 0;
        while (expected < size && Bytewise.ORDER.compare(byName.get(expected), after) <= 0) {
          expected++;
        }
        assertThat(matches.firstAfter(after))
            .as("after %s (seed %d)", after, seed)
            .isEqualTo(expected);
      }
      assertThat(matches.firstAfter(null)).isZero();
    }
  }

  @Test
  void everyMatchNeedsANameAndAChangeTime() {
    assertThatThrownBy(() -> new TextMatches(new long[2], new String[1], new long[2], 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String randomName(Random random) {
    StringBuilder name = new StringBuilder();
    int length = 1 + random.nextInt(6);
    for (int i = 0; i < length; i++) {
      name.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return name.toString();
  }
}
