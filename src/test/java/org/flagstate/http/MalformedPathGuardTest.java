package org.flagstate.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MalformedPathGuardTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"/index/%zz", "/index/%", "/index/%4", "/a%g1", "/a%1g", "/%%41", "/a/%é1"})
  void brokenEscapesAreFound(String path) {
    assertThat(MalformedPathGuard.hasBrokenEscape(path)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/index/static", "/v2/flatpak%2Fhello/tags/list", "/a%41%4a%4A", "/%25", "/", ""})
  void wellFormedPathsPass(String path) {
    assertThat(MalformedPathGuard.hasBrokenEscape(path)).isFalse();
  }
}
