package org.flagstate.search;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TaggedNamesTest {

  /** In name order, as read: ids 10..15. */
  private final TaggedNames names =
      new TaggedNames(
          new long[] {15, 11, 14, 10, 13, 12},
          new String[] {"apps/tea", "apps/teapot", "hello", "steam/x", "tea", "tools/steam"});

  @Test
  void ranksByNameThenRelevanceThenName() {
    TextMatches set =
        new TextMatches(
            new long[] {10, 11, 12, 13, 14, 15},
            new float[] {0.9f, 0.1f, 0.5f, 0.1f, 0.7f, 0.2f},
            42);
    TextMatches ranked = names.ranked(set, "tea");
    // equal: apps/tea (0.2), tea (0.1); prefix: apps/teapot; substring: steam/x (0.9), tools/steam
    // (0.5); text only: hello
    assertThat(ids(ranked)).containsExactly(15L, 13L, 11L, 10L, 12L, 14L);
    assertThat(ranked.lastModifiedMillis()).isEqualTo(42);
    assertThat(ranked.hasRelevance()).isFalse();
  }

  @Test
  void equalRelevanceFallsBackToNameOrderAndZeroSortsLast() {
    TextMatches set =
        new TextMatches(new long[] {14, 10, 12, 11}, new float[] {0f, 0.5f, 0.5f, 0f}, 0);
    // all text-only for "zzz": relevance desc, then name
    assertThat(ids(names.ranked(set, "zzz"))).containsExactly(10L, 12L, 11L, 14L);
  }

  @Test
  void aMatchTheNamesDoNotKnowLeavesTheRankingToSql() {
    TextMatches set = new TextMatches(new long[] {10, 99}, new float[] {0f, 0f}, 0);
    assertThat(names.ranked(set, "te")).isNull();
  }

  @Test
  void sparseIdsAndNamesThatAreNotLowerCaseAsciiRankAlike() {
    TaggedNames sparse =
        new TaggedNames(
            new long[] {5_000_000_000L, 7, 90_000}, new String[] {"Apps/Tea", "café/tea-x", "tea"});
    TextMatches set =
        new TextMatches(new long[] {90_000, 7, 5_000_000_000L, 8}, new float[] {0f, 0f, 0f, 0f}, 0);
    assertThat(sparse.ranked(set, "tea")).isNull();
    TextMatches known =
        new TextMatches(new long[] {90_000, 7, 5_000_000_000L}, new float[] {0f, 0.3f, 0f}, 0);
    assertThat(ids(sparse.ranked(known, "tea"))).containsExactly(5_000_000_000L, 90_000L, 7L);
  }

  @Test
  void rankComparesTheLowerCasedNameAndItsLastComponent() {
    assertThat(TaggedNames.rank("Team/Tea", "tea")).isZero();
    assertThat(TaggedNames.rank("tea", "tea")).isZero();
    assertThat(TaggedNames.rank("a/b/teapot", "tea")).isEqualTo(1);
    assertThat(TaggedNames.rank("teams/x", "tea")).isEqualTo(1);
    assertThat(TaggedNames.rank("a/steam", "tea")).isEqualTo(2);
    assertThat(TaggedNames.rank("a/b", "a/b")).isZero();
    assertThat(TaggedNames.rank("a/b", "tea")).isEqualTo(3);
  }

  private static java.util.List<Long> ids(TextMatches matches) {
    java.util.List<Long> ids = new java.util.ArrayList<>();
    for (int i = 0; i < matches.size(); i++) {
      ids.add(matches.id(i));
    }
    return ids;
  }
}
