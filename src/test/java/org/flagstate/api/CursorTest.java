package org.flagstate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.flagstate.http.InvalidQueryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CursorTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "flatpak/hello", "multi/oci", "ünïcode/名前"})
  void roundTrips(String name) {
    String cursor = Cursor.after(name);
    assertThat(cursor).matches("[A-Za-z0-9_-]+");
    assertThat(Cursor.decode(cursor)).isEqualTo(name);
  }

  @Test
  void roundTripsTheLongestRepositoryName() {
    assertThat(Cursor.decode(Cursor.after("x".repeat(255)))).isEqualTo("x".repeat(255));
  }

  @Test
  void isOpaqueButVersioned() {
    assertThat(Cursor.after("flatpak/hello"))
        .isEqualTo(
            Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("1:flatpak/hello".getBytes(StandardCharsets.UTF_8)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "!!!",
        "MTpmbGF0cGFrL2hlbGxv==",
        "MTpmbGF0cGFrL2hlbGxv=",
        "MjpmbGF0cGFr",
        "MTo",
        "ZmxhdHBhaw",
        "MTr_"
      })
  void refusesWhatItDidNotIssue(String cursor) {
    // padded or re-padded forms, another version ("2:"), an empty name ("1:"), no version, invalid
    // UTF-8
    assertThatThrownBy(() -> Cursor.decode(cursor))
        .isInstanceOf(InvalidQueryException.class)
        .satisfies(e -> assertThat(((InvalidQueryException) e).parameter()).isEqualTo("cursor"));
  }

  @Test
  void refusesOverlongCursors() {
    assertThatThrownBy(() -> Cursor.decode(Cursor.after("a".repeat(2000))))
        .isInstanceOf(InvalidQueryException.class);
  }
}
