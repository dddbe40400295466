package org.flagstate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SearchMemoTest {

  @Test
  void aValueIsReadOnlyAtTheGenerationItWasRememberedAt() {
    SearchMemo memo = new SearchMemo(1 << 20);
    long[] ids = {3, 1, 2};
    memo.put(7, "ranked fo", ids, 24);
    assertThat(memo.get(7, "ranked fo", long[].class)).isSameAs(ids);
    assertThat(memo.get(8, "ranked fo", long[].class)).as("after the index changed").isNull();
    assertThat(memo.get(7, "ranked f", long[].class)).as("another text").isNull();
  }

  @Test
  void whatItRemembersStaysWithinItsBytes() {
    long maxBytes = 1 << 20;
    SearchMemo memo = new SearchMemo(maxBytes);
    Random random = new Random(42);
    for (int i = 0; i < 2_000; i++) {
      int ids = random.nextInt(20_000);
      memo.put(1, "ranked word" + i, new long[ids], 8L * ids);
    }
    assertThat(memo.size()).isPositive().isLessThan(2_000);
    assertThat(memo.weightedBytes()).isLessThanOrEqualTo(maxBytes);
  }

  @Test
  void aValueLargerThanAllItsBytesIsNotKept() {
    SearchMemo memo = new SearchMemo(1_000);
    memo.put(1, "ranked broad", new long[1_000], 8_000);
    assertThat(memo.size()).isZero();
    assertThat(memo.get(1, "ranked broad", long[].class)).isNull();
  }
}
