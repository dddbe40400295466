package org.flagstate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SearchMemoTest {

  final AtomicLong generation = new AtomicLong(7);
  final AtomicInteger worked = new AtomicInteger();

  long[] remembered(SearchMemo memo, String key, long[] computed) {
    return memo.remembered(
            key,
            long[].class,
            () -> {
              worked.incrementAndGet();
              return Future.succeededFuture(computed);
            },
            ids -> 8L * ids.length)
        .result();
  }

  @Test
  void aValueIsReadOnlyAtTheGenerationItWasRememberedAt() {
    SearchMemo memo = new SearchMemo(1 << 20, generation::get);
    long[] ids = {3, 1, 2};
    assertThat(remembered(memo, "ranked fo", ids)).isSameAs(ids);
    assertThat(remembered(memo, "ranked fo", new long[0])).isSameAs(ids);
    assertThat(worked).hasValue(1);
    assertThat(remembered(memo, "ranked f", new long[0])).as("another text").isNotSameAs(ids);
    generation.incrementAndGet();
    assertThat(remembered(memo, "ranked fo", new long[0]))
        .as("after the index changed")
        .isNotSameAs(ids);
    assertThat(worked).hasValue(3);
  }

  @Test
  void aFailedWorkIsNotRemembered() {
    SearchMemo memo = new SearchMemo(1 << 20, generation::get);
    Future<long[]> failed =
        memo.remembered(
            "ranked x", long[].class, () -> Future.failedFuture("database down"), ids -> 0);
    assertThat(failed.failed()).isTrue();
    assertThat(memo.size()).isZero();
  }

  @Test
  void whatItRemembersStaysWithinItsBytes() {
    long maxBytes = 1 << 20;
    SearchMemo memo = new SearchMemo(maxBytes, generation::get);
    Random random = new Random(42);
    for (int i = 0; i < 2_000; i++) {
      remembered(memo, "ranked word" + i, new long[random.nextInt(20_000)]);
    }
    assertThat(memo.size()).isPositive().isLessThan(2_000);
    assertThat(memo.weightedBytes()).isLessThanOrEqualTo(maxBytes);
  }

  @Test
  void aValueLargerThanAllItsBytesIsNotKept() {
    SearchMemo memo = new SearchMemo(1_000, generation::get);
    remembered(memo, "ranked broad", new long[1_000]);
    assertThat(memo.size()).isZero();
    remembered(memo, "ranked broad", new long[1_000]);
    assertThat(worked).as("ranked again").hasValue(2);
  }
}
