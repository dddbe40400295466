package org.flagstate.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.flagstate.db.SqlStatement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The prefix tsquery built from what a person typed, and the SQL of the one match definition. */
class RepositoryMatchTest {

  /** What a quoted lexeme with the prefix flag may look like: letters, digits and marks only. */
  static final String SAFE_QUERY = "'[\\p{L}\\p{N}\\p{M}]+':\\*(?: & '[\\p{L}\\p{N}\\p{M}]+':\\*)*";

  @Test
  void everyWordBecomesAPrefixAndTheyAreAnded() {
    assertThat(RepositoryMatch.prefixQuery("caf")).isEqualTo("'caf':*");
    assertThat(RepositoryMatch.prefixQuery("Plain café 日本"))
        .isEqualTo("'Plain':* & 'café':* & '日本':*");
    assertThat(RepositoryMatch.prefixQuery("  multi-arch  ")).isEqualTo("'multi':* & 'arch':*");
    assertThat(RepositoryMatch.prefixQuery("org.gnome.Builder x86_64 v1.2"))
        .isEqualTo("'org':* & 'gnome':* & 'Builder':* & 'x86':* & '64':* & 'v1':* & '2':*");
    assertThat(RepositoryMatch.prefixQuery("flatpak/hello")).isEqualTo("'flatpak':* & 'hello':*");
    assertThat(RepositoryMatch.prefixQuery("hello hello")).isEqualTo("'hello':*");
  }

  @Test
  void combiningMarksStayInTheirWord() {
    assertThat(RepositoryMatch.prefixQuery("cafe\u0301 bar")).isEqualTo("'cafe\u0301':* & 'bar':*");
    assertThat(RepositoryMatch.prefixQuery("\uD835\uDC00bc"))
        .as("a letter outside the BMP")
        .isEqualTo("'\uD835\uDC00bc':*");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "'", "''", "\\", "&", "|", "!", ":", "*", "()", "<->", ":*", "%", "_", " ", "\u0000",
        "'':*", "!(&|)", "\uD800", "\uDC00"
      })
  void inputWithoutAWordGivesNoQuery(String hostile) {
    assertThat(RepositoryMatch.prefixQuery(hostile)).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "caf' | 'x",
        "a & b",
        "a|b",
        "!a",
        "a:*",
        "a:AB",
        "a*",
        "(a | b) & !c",
        "a<->b",
        "a\\'b",
        "a\u0000b",
        "it's",
        "a';drop table repository;--",
        "\"a\" & \"b\"",
        "a\\",
        "'a'",
        "a\uD800b"
      })
  void operatorsQuotesAndControlCharactersNeverReachTheQuery(String hostile) {
    String query = RepositoryMatch.prefixQuery(hostile);
    assertThat(query).matches(SAFE_QUERY);
    assertThat(query).doesNotContain("|", "!", "\\", "\u0000", "<", "(", "\"", ";");
  }

  @Test
  void hostileWordsAreCutAtEveryOperator() {
    assertThat(RepositoryMatch.prefixQuery("caf' | 'x")).isEqualTo("'caf':* & 'x':*");
    assertThat(RepositoryMatch.prefixQuery("(a | b) & !c")).isEqualTo("'a':* & 'b':* & 'c':*");
    assertThat(RepositoryMatch.prefixQuery("a\u0000b")).isEqualTo("'a':* & 'b':*");
    assertThat(RepositoryMatch.prefixQuery("a';drop table repository;--"))
        .isEqualTo("'a':* & 'drop':* & 'table':* & 'repository':*");
  }

  @Test
  void veryLongInputIsBoundedInWordsAndWordLength() {
    String query = RepositoryMatch.prefixQuery("x".repeat(1_000_000));
    assertThat(query).isEqualTo("'" + "x".repeat(RepositoryMatch.MAX_WORD_CHARS) + "':*");
    String many =
        RepositoryMatch.prefixQuery(
            "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 "
                + "word ".repeat(100_000));
    assertThat(many.split(" & ")).hasSize(RepositoryMatch.MAX_WORDS).endsWith("'w15':*");
    StringBuilder distinct = new StringBuilder();
    for (int i = 0; i < 100_000; i++) {
      distinct.append("w").append(i).append("&|!");
    }
    assertThat(RepositoryMatch.prefixQuery(distinct.toString()))
        .matches(SAFE_QUERY)
        .hasSizeLessThan(RepositoryMatch.MAX_WORDS * (RepositoryMatch.MAX_WORD_CHARS + 7));
    String wide = "日".repeat(10_000);
    assertThat(RepositoryMatch.prefixQuery(wide))
        .isEqualTo("'" + "日".repeat(RepositoryMatch.MAX_WORD_CHARS) + "':*");
  }

  @Test
  void theSqlCarriesTheTextOnlyAsParameters() {
    String hostile = "a';drop table repository;-- %_\\";
    SqlStatement statement = new SqlStatement();
    RepositoryMatch.Bound bound = RepositoryMatch.of(hostile).bind(statement);
    String sql = bound.condition("r") + " " + bound.rankColumns("r");
    assertThat(sql)
        .doesNotContain("drop", "'a'")
        .contains("$1::text", "$2::text", "$3::text", "$4::text")
        .contains("to_tsquery('simple', $2::text)")
        .contains("r.search_document @@");
    assertThat(statement.toString()).isEmpty();
  }

  @Test
  void withoutAWordOnlyTheNameCanMatch() {
    RepositoryMatch match = RepositoryMatch.of("%");
    assertThat(match.tsquery()).isNull();
    RepositoryMatch.Bound bound = match.bind(new SqlStatement());
    assertThat(bound.condition("r"))
        .doesNotContain("search_document")
        .contains("like $1::text escape");
    assertThat(bound.rankColumns("r")).contains("0::real as relevance");
    assertThatThrownBy(() -> RepositoryMatch.of("  ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aValueBecomesAParameterOnlyWhereTheSqlUsesIt() {
    RepositoryMatch.Bound bound = RepositoryMatch.of("Hello").bind(new SqlStatement());
    assertThat(bound.condition("r"))
        .as("the condition: the substring and the words, numbered as they are used")
        .contains("like $1::text escape", "to_tsquery('simple', $2::text)")
        .doesNotContain("$3");
    assertThat(bound.rank("r")).contains("$3::text", "$4::text").doesNotContain("$5");
    assertThat(bound.condition("x")).as("used again, the same parameters").doesNotContain("$5");
  }

  @Test
  void aTwoCharacterTextMatchesNamesThroughTheirTwoCharacterSubstrings() {
    assertThat(RepositoryMatch.of("Me").bind(new SqlStatement()).condition("r"))
        .contains("r.name_bigrams @> array[$1::text]")
        .doesNotContain("like");
    assertThat(RepositoryMatch.of("日本").bind(new SqlStatement()).condition("r"))
        .as("two characters, six bytes")
        .contains("name_bigrams");
    assertThat(RepositoryMatch.of("abc").bind(new SqlStatement()).condition("r"))
        .contains("like")
        .doesNotContain("name_bigrams");
    assertThat(RepositoryMatch.of("a").bind(new SqlStatement()).condition("r"))
        .contains("like")
        .doesNotContain("name_bigrams");
  }

  @Test
  void likePatternsEscapeTheirWildcards() {
    assertThat(RepositoryMatch.likeEscaped("50%_a\\b")).isEqualTo("50\\%\\_a\\\\b");
  }

  @Test
  void theDocumentCutsWordsAtTheSamePunctuation() {
    String document = RepositoryMatch.document("r.name", "t.title", "t.description");
    assertThat(document)
        .startsWith("to_tsvector('simple', translate(r.name || ' ' || coalesce(t.title, '')")
        .contains("'/-_.@:+~\\<>&;=?#%'");
  }
}
