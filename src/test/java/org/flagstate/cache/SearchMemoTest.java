package org.flagstate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
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
  void aValueAboutTheWholeIndexOutlivesAFloodOfOthersUntilTheIndexChanges() {
    SearchMemo memo = new SearchMemo(1 << 20, generation::get);
    AtomicInteger reads = new AtomicInteger();
    long[] groups = new long[40_000];
    Supplier<Future<long[]>> read =
        () -> {
          reads.incrementAndGet();
          return Future.succeededFuture(groups);
        };
    assertThat(memo.rememberedForIndex("facet groups", long[].class, read).result())
        .isSameAs(groups);
    Random random = new Random(7);
    for (int i = 0; i < 2_000; i++) {
      remembered(memo, "ranked word" + i, new long[random.nextInt(20_000)]);
      assertThat(memo.rememberedForIndex("facet groups", long[].class, read).result())
          .isSameAs(groups);
    }
    assertThat(reads).as("read once through 2,000 distinct texts").hasValue(1);
    assertThat(memo.remembers("facet groups")).isTrue();
    generation.incrementAndGet();
    assertThat(memo.remembers("facet groups")).as("after the index changed").isFalse();
    memo.rememberedForIndex("facet groups", long[].class, read);
    assertThat(reads).as("read again after the index changed").hasValue(2);
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

  @Test
  void callersAskingMeanwhileShareOneComputation() {
    SearchMemo memo = new SearchMemo(1 << 20, generation::get);
    Promise<long[]> ranking = Promise.promise();
    Supplier<Future<long[]>> work =
        () -> {
          worked.incrementAndGet();
          return ranking.future();
        };
    Future<long[]> first = memo.remembered("ranked fo", long[].class, work, ids -> 8);
    Future<long[]> second = memo.remembered("ranked fo", long[].class, work, ids -> 8);
    generation.incrementAndGet();
    Future<long[]> afterAChange = memo.remembered("ranked fo", long[].class, work, ids -> 8);
    assertThat(worked).as("one computation per generation").hasValue(2);
    assertThat(second.isComplete()).isFalse();
    long[] ids = {4, 2};
    ranking.complete(ids);
    assertThat(first.result()).isSameAs(ids);
    assertThat(second.result()).isSameAs(ids);
    assertThat(afterAChange.result()).isSameAs(ids);
  }

  @Test
  void aSharedFailureReachesEveryCallerAndIsNotRemembered() {
    SearchMemo memo = new SearchMemo(1 << 20, generation::get);
    Promise<long[]> ranking = Promise.promise();
    Future<long[]> first =
        memo.remembered("ranked x", long[].class, () -> ranking.future(), ids -> 8);
    Future<long[]> second =
        memo.remembered(
            "ranked x", long[].class, () -> Future.succeededFuture(new long[1]), ids -> 8);
    ranking.fail("database down");
    assertThat(first.cause()).hasMessage("database down");
    assertThat(second.cause()).hasMessage("database down");
    long[] ids = {1};
    assertThat(remembered(memo, "ranked x", ids)).as("computed again").isSameAs(ids);
  }

  @Test
  void workThatThrowsFailsItsCallerAndIsForgotten() {
    SearchMemo memo = new SearchMemo(1 << 20, generation::get);
    Future<long[]> thrown =
        memo.remembered(
            "ranked y",
            long[].class,
            () -> {
              throw new IllegalStateException("bad statement");
            },
            ids -> 8);
    assertThat(thrown.cause()).hasMessage("bad statement");
    long[] ids = {1};
    assertThat(remembered(memo, "ranked y", ids)).isSameAs(ids);
  }
}
