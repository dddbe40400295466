package org.flagstate.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which Accept-Encoding values get the precompressed gzip body (index-protocol.md §1, "Caching").
 */
class CachedJsonResponderTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "gzip",
        "GZIP",
        "gzip, deflate",
        "deflate, gzip;q=0.5",
        "gzip;q=1.0",
        "x-gzip",
        "br, gzip ; q=0.001"
      })
  void acceptsGzipWhenOfferedWithPositiveQuality(String acceptEncoding) {
    assertThat(CachedJsonResponder.acceptsGzip(acceptEncoding)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"gzip;q=0", "gzip; q=0", "gzip;q=0.0", "gzip;q=0.000", "deflate, gzip;q=0"})
  void refusesGzipWhenQualityIsZero(String acceptEncoding) {
    assertThat(CachedJsonResponder.acceptsGzip(acceptEncoding)).isFalse();
  }

  @Test
  void wildcardAcceptsGzip() {
    assertThat(CachedJsonResponder.acceptsGzip("*")).isTrue();
  }

  @Test
  void wildcardWithQualityZeroRefusesGzip() {
    assertThat(CachedJsonResponder.acceptsGzip("*;q=0")).isFalse();
  }

  @Test
  void missingHeaderMeansIdentity() {
    assertThat(CachedJsonResponder.acceptsGzip(null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"identity", "", "deflate", "br, deflate", "gzipx", "xgzip"})
  void otherCodingsMeanIdentity(String acceptEncoding) {
    assertThat(CachedJsonResponder.acceptsGzip(acceptEncoding)).isFalse();
  }
}
