package org.flagstate.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@link TextIndex} answers for a text, and what it leaves to SQL. {@code TextRankingIT}
 * checks its answers against PostgreSQL's over seeded repositories and texts.
 */
class TextIndexTest {

  private static final long REMOVED = 1_000;

  private static final TextIndex INDEX =
      TextIndex.of(
          new long[] {30, 10, 20, 40},
          new String[] {"app/steam-engine", "library/tea", "team/pot", "tools/x86"},
          new long[] {5_000, 500, 2_000, 3_000},
          new String[][] {
            {"app", "steam", "engine", "boiler", "kettle"},
            {"library", "tea", "green", "leaf"},
            {"team", "pot", "kettle", "black"},
            {"tools", "x86", "2026", "green"}
          },
          REMOVED);

  @Test
  void aNameContainingTheTextMatches() {
    assertThat(ids("eng")).containsExactly(30L);
    assertThat(ids("y/t")).containsExactly(10L);
    assertThat(ids("-")).containsExactly(30L);
  }

  @Test
  void everyWordMustStartAWordOfTheDocument() {
    assertThat(ids("kett")).containsExactly(30L, 20L);
    assertThat(ids("kettle black")).containsExactly(20L);
    assertThat(ids("Green  LEAF")).containsExactly(10L);
    assertThat(ids("green boiler")).isEmpty();
    assertThat(ids("ettle")).as("inside a word, not a name").isEmpty();
  }

  @Test
  void eitherTheNameOrTheDocumentMatches() {
    // "te" is in steam-engine's and team/pot's names, and starts "tea" and "team"
    assertThat(ids("te")).containsExactly(30L, 10L, 20L);
    assertThat(ids("20")).containsExactly(40L);
  }

  @Test
  void lastModifiedIsTheNewestMatchOrTheLastRemoval() {
    assertThat(INDEX.matchSet(RepositoryMatch.of("kettle")).lastModifiedMillis()).isEqualTo(5_000);
    assertThat(INDEX.matchSet(RepositoryMatch.of("leaf")).lastModifiedMillis()).isEqualTo(REMOVED);
    assertThat(INDEX.matchSet(RepositoryMatch.of("nothing")).lastModifiedMillis())
        .isEqualTo(REMOVED);
    assertThat(INDEX.matchSet(RepositoryMatch.of("nothing")).size()).isZero();
  }

  @Test
  void whatPostgresqlMightMatchOtherwiseIsLeftToSql() {
    assertThat(INDEX.matchSet(RepositoryMatch.of("café"))).isNull();
    assertThat(INDEX.matchSet(RepositoryMatch.of("tea 日本"))).isNull();
    assertThat(INDEX.matchSet(RepositoryMatch.of("1e5x"))).as("'1e5' <-> 'x'").isNull();
    assertThat(INDEX.matchSet(RepositoryMatch.of("\u212Aettle"))).as("Kelvin sign").isNull();
    assertThat(TextIndex.NONE.matchSet(RepositoryMatch.of("tea"))).as("not kept").isNull();
    TextIndex upperCase =
        TextIndex.of(
            new long[] {1}, new String[] {"Library/Tea"}, new long[] {1}, new String[][] {{}}, 0);
    assertThat(upperCase.matchSet(RepositoryMatch.of("tea"))).isNull();
  }

  @Test
  void anIndexWithNoRepositoriesMatchesNothing() {
    TextIndex empty = TextIndex.of(new long[0], new String[0], new long[0], new String[0][], 7);
    TextMatches none = empty.matchSet(RepositoryMatch.of("tea"));
    assertThat(none.size()).isZero();
    assertThat(none.lastModifiedMillis()).isEqualTo(7);
  }

  @Test
  void wordsThatTheQueryParserKeepsWhole() {
    assertThat(TextIndex.keptWhole("kettle")).isTrue();
    assertThat(TextIndex.keptWhole("Kettle2")).isTrue();
    assertThat(TextIndex.keptWhole("x86")).isTrue();
    assertThat(TextIndex.keptWhole("e9e9e9")).isTrue();
    assertThat(TextIndex.keptWhole("2026")).isTrue();
    assertThat(TextIndex.keptWhole("1e5x")).isFalse();
    assertThat(TextIndex.keptWhole("1abc")).as("kept whole, but left to SQL").isFalse();
    assertThat(TextIndex.keptWhole("café")).isFalse();
  }

  private static List<Long> ids(String text) {
    TextMatches matches = INDEX.matchSet(RepositoryMatch.of(text));
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < matches.size(); i++) {
      ids.add(matches.id(i));
    }
    return ids;
  }
}
