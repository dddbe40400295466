package org.flagstate.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.flagstate.http.InvalidQueryException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * index-protocol.md §1, "Parameters": what the index query string may contain and how it is read.
 */
class IndexQueryParserTest {

  private final IndexQueryParser parser = new IndexQueryParser(64, 4096);

  private static IndexQuery.KeyCondition exists(String key) {
    return new IndexQuery.KeyCondition(key, true, new TreeSet<>());
  }

  private static IndexQuery.KeyCondition equalsAny(String key, String... values) {
    return new IndexQuery.KeyCondition(key, false, new TreeSet<>(List.of(values)));
  }

  private InvalidQueryException refused(String rawQuery) {
    return refused(parser, rawQuery);
  }

  private static InvalidQueryException refused(IndexQueryParser parser, String rawQuery) {
    InvalidQueryException e =
        catchThrowableOfType(InvalidQueryException.class, () -> parser.parse(rawQuery));
    assertThat(e).as("query '%s' should be refused", rawQuery).isNotNull();
    return e;
  }

  @Nested
  class Accepted {

    @Test
    void percentEncodedKeyIsDecodedBeforeItIsInterpreted() {
      IndexQuery query = parser.parse("label%3Aorg.flatpak.ref%3Aexists=1");

      assertThat(query.labels()).containsExactly(exists("org.flatpak.ref"));
    }

    @Test
    void theExactFlatpakQueryParsesIntoFourConditions() {
      IndexQuery query =
          parser.parse("label%3Aorg.flatpak.ref%3Aexists=1&architecture=amd64&os=linux&tag=latest");

      assertThat(query.labels()).containsExactly(exists("org.flatpak.ref"));
      assertThat(query.architectures()).containsExactly("amd64");
      assertThat(query.oses()).containsExactly("linux");
      assertThat(query.tags()).containsExactly("latest");
      assertThat(query.repositories()).isEmpty();
      assertThat(query.annotations()).isEmpty();
    }

    @Test
    void repeatedKeyIsCollectedIntoOneSetOfAlternatives() {
      IndexQuery query =
          parser.parse("tag=v2&tag=latest&tag=v2&architecture=arm64&architecture=amd64");

      assertThat(query.tags()).containsExactly("latest", "v2");
      assertThat(query.architectures()).containsExactly("amd64", "arm64");
    }

    @Test
    void repeatedLabelKeyIsOneConditionWithSeveralValues() {
      IndexQuery query = parser.parse("label:b=Y&label:b=X");

      assertThat(query.labels()).containsExactly(equalsAny("b", "X", "Y"));
    }

    @Test
    void differentKeysAreKeptSeparate() {
      IndexQuery query =
          parser.parse(
              "repository=flatpak/hello&tag=latest&os=linux&architecture=amd64"
                  + "&label:a:exists=1&label:b=X&annotation:c=Z");

      assertThat(query.repositories()).containsExactly("flatpak/hello");
      assertThat(query.tags()).containsExactly("latest");
      assertThat(query.oses()).containsExactly("linux");
      assertThat(query.architectures()).containsExactly("amd64");
      assertThat(query.labels()).containsExactly(exists("a"), equalsAny("b", "X"));
      assertThat(query.annotations()).containsExactly(equalsAny("c", "Z"));
    }

    @Test
    void annotationConditionsMirrorLabelConditions() {
      IndexQuery query =
          parser.parse("annotation%3Aorg.opencontainers.image.title%3Aexists=1&annotation:x=1");

      assertThat(query.annotations())
          .containsExactly(exists("org.opencontainers.image.title"), equalsAny("x", "1"));
      assertThat(query.labels()).isEmpty();
    }

    @Test
    void labelNameMayContainColons() {
      IndexQuery query = parser.parse("label:a:b=1&label:c:d:exists=1");

      assertThat(query.labels()).containsExactly(equalsAny("a:b", "1"), exists("c:d"));
    }

    @Test
    void labelValueAndExistsOnTheSameNameAreAndedSoTheValueDecides() {
      // Different keys are AND (§1): label:a:exists=1 AND label:a=X is exactly label:a=X, not "has
      // a".
      IndexQuery both = parser.parse("label:a:exists=1&label:a=X");

      assertThat(both.labels()).containsExactly(equalsAny("a", "X"));
      assertThat(both.cacheKey()).isEqualTo(parser.parse("label:a=X").cacheKey());
    }

    @Test
    void emptySegmentsAreIgnored() {
      IndexQuery query = parser.parse("&tag=a&&os=linux&");

      assertThat(query.tags()).containsExactly("a");
      assertThat(query.oses()).containsExactly("linux");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "&", "&&&"})
    void queryOfOnlyEmptySegmentsHasNoConditions(String rawQuery) {
      assertThat(parser.parse(rawQuery)).isEqualTo(parser.parse(null));
      assertThat(parser.parse(rawQuery).cacheKey()).isEqualTo("index:");
    }

    @Test
    void nullQueryHasNoConditions() {
      IndexQuery query = parser.parse(null);

      assertThat(query.repositories()).isEmpty();
      assertThat(query.tags()).isEmpty();
      assertThat(query.oses()).isEmpty();
      assertThat(query.architectures()).isEmpty();
      assertThat(query.labels()).isEmpty();
      assertThat(query.annotations()).isEmpty();
    }

    @Test
    void percentEncodedUtf8ValuesAndPlusAreDecoded() {
      IndexQuery query =
          parser.parse("tag=%C3%A9t%C3%A9&tag=%F0%9F%98%80&repository=a+b&os=%6c%69%6E%75%78");

      assertThat(query.tags()).containsExactlyInAnyOrder("été", "😀");
      assertThat(query.repositories()).containsExactly("a b");
      assertThat(query.oses()).containsExactly("linux");
    }
  }

  @Nested
  class Refused {

    @ParameterizedTest
    @CsvSource({
      "label:a:exists=0, label:a:exists",
      "label:a:exists=true, label:a:exists",
      "label:a:exists=, label:a:exists",
      "label%3Aa%3Aexists=yes, label:a:exists",
      "annotation:a:exists=2, annotation:a:exists"
    })
    void existsTakesOnlyOne(String rawQuery, String parameter) {
      InvalidQueryException e = refused(rawQuery);

      assertThat(e.parameter()).isEqualTo(parameter);
      assertThat(e.getMessage()).contains(parameter);
    }

    @ParameterizedTest
    @ValueSource(strings = {"colour", "Tag", "label", "name", "annotations:a", "labels:a"})
    void unknownKeyIsNamed(String key) {
      InvalidQueryException e = refused("tag=latest&" + key + "=x");

      assertThat(e.parameter()).isEqualTo(key);
      assertThat(e.getMessage()).contains(key);
    }

    @Test
    void emptyKeyIsRefused() {
      InvalidQueryException e = refused("tag=latest&=x");

      assertThat(e.parameter()).isEmpty();
      assertThat(e.getMessage()).contains("empty name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"label:", "annotation:"})
    void labelOrAnnotationWithoutANameIsRefused(String key) {
      InvalidQueryException e = refused(key + "=x");

      assertThat(e.parameter()).isEqualTo(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"label::exists", "annotation::exists"})
    void existsWithoutANameIsRefused(String key) {
      InvalidQueryException e = refused(key + "=1");

      assertThat(e.parameter()).isEqualTo(key);
    }

    @ParameterizedTest
    @CsvSource({
      "tag, tag",
      "label%3Aa%3Aexists, label:a:exists",
      "os=linux&architecture, architecture"
    })
    void keyWithoutEqualsSignIsRefused(String rawQuery, String parameter) {
      InvalidQueryException e = refused(rawQuery);

      assertThat(e.parameter()).isEqualTo(parameter);
      assertThat(e.getMessage()).contains("no value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tag", "os", "repository", "architecture"})
    void emptyValueIsRefused(String key) {
      InvalidQueryException e = refused(key + "=");

      assertThat(e.parameter()).isEqualTo(key);
      assertThat(e.getMessage()).contains("empty value");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "tag=%",
          "tag=%4",
          "tag=a%",
          "tag=%zz",
          "tag=%g1",
          "tag=%1g",
          "tag=%%41",
          // non-ASCII digits are digits to Character.digit, but not hex digits of a %-escape
          "tag=%\u0664\u0661",
          "tag=%\uFF21\uFF21"
        })
    void malformedEscapeInValueNamesTheKey(String rawQuery) {
      InvalidQueryException e = refused(rawQuery);

      assertThat(e.parameter()).isEqualTo("tag");
      assertThat(e.getMessage()).contains("malformed");
    }

    @Test
    void malformedEscapeInKeyNamesTheRawKey() {
      InvalidQueryException e = refused("os=linux&label%3Za=1");

      assertThat(e.parameter()).contains("label%3Za");
      assertThat(e.getMessage()).contains("malformed");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "%FF", // never valid in UTF-8
          "%C3%28", // lead byte followed by a non-continuation byte
          "%C3", // truncated sequence
          "%C0%AF", // overlong encoding of '/'
          "%ED%A0%80", // encoded UTF-16 surrogate
          "%F4%90%80%80"
        }) // beyond U+10FFFF
    void invalidUtf8InValueNamesTheKey(String encoded) {
      InvalidQueryException e = refused("label:org.flatpak.ref=" + encoded);

      assertThat(e.parameter()).isEqualTo("label:org.flatpak.ref");
      assertThat(e.getMessage()).contains("UTF-8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tag=%00", "tag=a%00", "repository=app%00x", "label%3Aa%00=1"})
    void aNulCharacterIsRefusedBeforeItCanReachTheDatabase(String rawQuery) {
      InvalidQueryException e = refused(rawQuery);

      assertThat(e.getMessage()).contains("NUL");
    }

    @Test
    void invalidUtf8InKeyIsRefused() {
      InvalidQueryException e = refused("label%3A%FF=1");

      assertThat(e.getMessage()).contains("UTF-8");
    }
  }

  @Nested
  class Limits {

    private final IndexQueryParser threeTerms = new IndexQueryParser(3, 4096);

    @Test
    void exactlyMaxTermsIsAccepted() {
      assertThat(threeTerms.parse("tag=a&tag=b&tag=c").tags()).containsExactly("a", "b", "c");
    }

    @Test
    void oneTermMoreThanMaxTermsIsRefused() {
      InvalidQueryException e = refused(threeTerms, "tag=a&tag=b&tag=c&tag=d");

      assertThat(e.getMessage()).contains("3 terms");
    }

    @Test
    void emptySegmentsDoNotCountAsTerms() {
      assertThat(threeTerms.parse("&&tag=a&&tag=b&&tag=c&&").tags()).containsExactly("a", "b", "c");
    }

    @Test
    void queryOfExactlyMaxBytesIsAccepted() {
      IndexQueryParser twentyBytes = new IndexQueryParser(64, 20);
      String query = "tag=" + "x".repeat(16);

      assertThat(query).hasSize(20);
      assertThat(twentyBytes.parse(query).tags()).containsExactly("x".repeat(16));
    }

    @Test
    void queryLongerThanMaxBytesIsRefused() {
      IndexQueryParser twentyBytes = new IndexQueryParser(64, 20);

      InvalidQueryException e = refused(twentyBytes, "tag=" + "x".repeat(17));

      assertThat(e.getMessage()).contains("20 bytes");
    }

    @Test
    void byteLimitIsCheckedBeforeAnythingElse() {
      IndexQueryParser twentyBytes = new IndexQueryParser(64, 20);

      InvalidQueryException e = refused(twentyBytes, "nonsense=" + "%".repeat(40));

      assertThat(e.getMessage()).contains("20 bytes");
    }
  }

  @Nested
  class CacheKey {

    private String key(String rawQuery) {
      return parser.parse(rawQuery).cacheKey();
    }

    @Test
    void reorderedParametersGiveTheSameKey() {
      assertThat(key("label%3Aorg.flatpak.ref%3Aexists=1&architecture=amd64&os=linux&tag=latest"))
          .isEqualTo(key("tag=latest&os=linux&architecture=amd64&label:org.flatpak.ref:exists=1"));
      assertThat(key("tag=b&label:y=2&tag=a&label:x=1&label:y=1"))
          .isEqualTo(key("label:x=1&label:y=1&tag=a&label:y=2&tag=b"));
    }

    @Test
    void duplicateValuesDoNotChangeTheKey() {
      assertThat(key("tag=a&tag=a")).isEqualTo(key("tag=a"));
    }

    @Test
    void differentValuesGiveDifferentKeys() {
      assertThat(key("tag=latest")).isNotEqualTo(key("tag=stable"));
      assertThat(key("tag=latest")).isNotEqualTo(key("tag=latest&tag=stable"));
      assertThat(key("tag=latest")).isNotEqualTo(key(""));
    }

    @Test
    void theSameValueUnderDifferentKeysGivesDifferentKeys() {
      Set<String> keys =
          Set.of(
              key("repository=x"),
              key("tag=x"),
              key("os=x"),
              key("architecture=x"),
              key("label:x=x"),
              key("annotation:x=x"));

      assertThat(keys).hasSize(6);
    }

    @Test
    void existsAndEqualsGiveDifferentKeys() {
      assertThat(key("label:a:exists=1")).isNotEqualTo(key("label:a=1"));
      assertThat(key("label:a:exists=1")).isNotEqualTo(key("annotation:a:exists=1"));
    }

    @Test
    void valueContainingCommaDiffersFromTwoValues() {
      assertThat(key("tag=a%2Cb")).isNotEqualTo(key("tag=a&tag=b"));
      assertThat(key("label:k=a%2Cb")).isNotEqualTo(key("label:k=a&label:k=b"));
    }

    @Test
    void valueContainingParenthesesCannotImitateAnotherKey() {
      // "t(x)o(y)" would be the naive form of both tag=x&os=y and a single tag "x)o(y"
      assertThat(key("tag=x%29o%28y")).isNotEqualTo(key("tag=x&os=y"));
      assertThat(key("label:a=1%29L%3Db%281")).isNotEqualTo(key("label:a=1&label:b=1"));
    }

    @Test
    void labelNameContainingParenthesesCannotImitateAnotherCondition() {
      assertThat(key("label:a%281%2C%29L%3Db=1")).isNotEqualTo(key("label:a=1&label:b=1"));
    }

    @Test
    void backslashesInValuesCannotUndoTheEscaping() {
      assertThat(key("tag=a%5C&tag=b")).isNotEqualTo(key("tag=a%5C%2Cb"));
      assertThat(key("tag=a%5C%2C&tag=b")).isNotEqualTo(key("tag=a%5C&tag=%2Cb"));
    }
  }
}
