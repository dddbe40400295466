package org.flagstate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.flagstate.http.InvalidQueryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiRequestParserTest {

  private final ApiRequestParser parser = new ApiRequestParser(64, 4096);

  private static void assertRefused(Runnable parse, String parameter) {
    assertThatThrownBy(parse::run)
        .isInstanceOf(InvalidQueryException.class)
        .satisfies(e -> assertThat(((InvalidQueryException) e).parameter()).isEqualTo(parameter))
        .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
  }

  @Test
  void listingDefaultsToTheFirstPageOfFifty() {
    assertThat(parser.listing(null)).isEqualTo(new ApiPage(50, null));
    assertThat(parser.listing("")).isEqualTo(new ApiPage(50, null));
  }

  @Test
  void listingTakesLimitAndCursor() {
    ApiPage page = parser.listing("limit=2&cursor=" + Cursor.after("flatpak/hello"));
    assertThat(page).isEqualTo(new ApiPage(2, "flatpak/hello"));
    assertThat(page.queryString(page.cursor()))
        .isEqualTo("limit=2&cursor=" + Cursor.after("flatpak/hello"));
    assertThat(parser.listing("cursor=" + Cursor.after("a") + "&limit=100"))
        .isEqualTo(new ApiPage(100, "a"));
  }

  @ParameterizedTest
  @CsvSource({
    "limit=0, limit",
    "limit=101, limit",
    "limit=-1, limit",
    "limit=ten, limit",
    "limit=, limit",
    "limit=99999999999, limit",
    "limit=1&limit=2, limit",
    "cursor=, cursor",
    "cursor=nope!, cursor",
    "page=2, page",
    "n=5, n",
    "limit, limit",
    "cursor=%zz, cursor"
  })
  void listingRefusesBadParametersNamingThem(String query, String parameter) {
    assertRefused(() -> parser.listing(query), parameter);
  }

  @Test
  void searchIsCanonicalWhateverTheOrderTheClientWrote() {
    RepositorySearch one =
        parser.search("os=linux&architecture=arm64&q=+Hello+&architecture=amd64&label=b&label=a");
    RepositorySearch two =
        parser.search("label=a&q=Hello&architecture=amd64&label=b&os=linux&architecture=arm64");
    assertThat(one).isEqualTo(two);
    assertThat(one.text()).isEqualTo("Hello");
    assertThat(one.architectures()).containsExactly("amd64", "arm64");
    assertThat(one.queryString(null))
        .isEqualTo(
            "q=Hello&architecture=amd64&architecture=arm64&label=a&label=b&os=linux&limit=50");
    assertThat(one.filtersImages()).isTrue();
  }

  @Test
  void searchWithoutTextOrFiltersMatchesEverything() {
    RepositorySearch all = parser.search("q=%20%20");
    assertThat(all.text()).isNull();
    assertThat(all.filtersImages()).isFalse();
    assertThat(all.queryString(null)).isEqualTo("limit=50");
  }

  @Test
  void searchQueryStringEncodesValuesAndCarriesTheCursor() {
    RepositorySearch search =
        parser.search("q=a%26b%3Dc&mediaType=application%2Fvnd.oci.image.index.v1%2Bjson&limit=5");
    assertThat(search.text()).isEqualTo("a&b=c");
    assertThat(search.queryString("abc"))
        .isEqualTo(
            "q=a%26b%3Dc&mediaType=application%2Fvnd.oci.image.index.v1%2Bjson&limit=5&cursor=abc");
    assertThat(parser.search(search.queryString(Cursor.after("x"))))
        .isEqualTo(
            new RepositorySearch(
                "a&b=c",
                search.architectures(),
                search.oses(),
                search.labels(),
                search.mediaTypes(),
                search.kinds(),
                search.namespaces(),
                new ApiPage(5, "x")));
  }

  @ParameterizedTest
  @CsvSource({
    "q=a&q=b, q",
    "architecture=, architecture",
    "os=, os",
    "label=, label",
    "mediaType=text/plain, mediaType",
    "mediaType=, mediaType",
    "tag=latest, tag",
    "label:org.flatpak.ref:exists=1, label:org.flatpak.ref:exists",
    "limit=1000, limit",
    "cursor=x, cursor",
    "kind=app, kind",
    "kind=, kind",
    "namespace=a/b, namespace",
    "namespace=UPPER, namespace",
    "namespace=, namespace"
  })
  void searchRefusesBadParametersNamingThem(String query, String parameter) {
    assertRefused(() -> parser.search(query), parameter);
  }

  @Test
  void searchRefusesOverlongText() {
    assertRefused(() -> parser.search("q=" + "x".repeat(257)), "q");
    assertThat(parser.search("q=" + "x".repeat(256)).text()).hasSize(256);
  }

  @Test
  void repositoryNamesFollowTheDistributionGrammar() {
    for (String name :
        new String[] {"hello", "flatpak/hello", "a/b/c", "my-app", "my__app", "a.b_c", "x0/y--z"}) {
      assertThat(parser.repository(name, null)).isEqualTo(name);
    }
    for (String name :
        new String[] {
          "Hello",
          "/hello",
          "hello/",
          "a//b",
          "-a",
          "a-",
          "a..b",
          "a___b",
          "a b",
          "",
          "a".repeat(256)
        }) {
      assertRefused(() -> parser.repository(name, null), "name");
    }
    assertRefused(() -> parser.repository("hello", "tag=latest"), "tag");
  }

  @Test
  void digestsMustBeWellFormed() {
    String sha256 = "sha256:" + "0123456789abcdef".repeat(4);
    assertThat(parser.digest(sha256, null)).isEqualTo(sha256);
    assertThat(parser.digest("sha512:" + "ab".repeat(64), ""))
        .isEqualTo("sha512:" + "ab".repeat(64));
    for (String digest :
        new String[] {
          "sha256:abc",
          "sha256:" + "A".repeat(64),
          "sha256",
          "sha256:",
          ":abc",
          "sha256:" + "0".repeat(65),
          "sha512:" + "a".repeat(64),
          "SHA256:" + "0".repeat(64),
          "latest"
        }) {
      assertRefused(() -> parser.digest(digest, null), "digest");
    }
    assertRefused(() -> parser.digest(sha256, "x=1"), "x");
  }
}
