package org.flagstate.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which Accept-Encoding values get the precompressed gzip body (index-protocol.md §1, "Caching"). */
class IndexEndpointTest {

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "GZIP", "gzip, deflate", "deflate, gzip;q=0.5", "gzip;q=1.0", "x-gzip",
      "br, gzip ; q=0.001"})
  void acceptsGzipWhenOfferedWithPositiveQuality(String acceptEncoding) {
    assertThat(IndexEndpoint.acceptsGzip(acceptEncoding)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip;q=0", "gzip; q=0", "gzip;q=0.0", "gzip;q=0.000", "deflate, gzip;q=0"})
  void refusesGzipWhenQualityIsZero(String acceptEncoding) {
    assertThat(IndexEndpoint.acceptsGzip(acceptEncoding)).isFalse();
  }

  @Test
  void wildcardAcceptsGzip() {
    assertThat(IndexEndpoint.acceptsGzip("*")).isTrue();
  }

  @Test
  void wildcardWithQualityZeroRefusesGzip() {
    assertThat(IndexEndpoint.acceptsGzip("*;q=0")).isFalse();
  }

  @Test
  void missingHeaderMeansIdentity() {
    assertThat(IndexEndpoint.acceptsGzip(null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"identity", "", "deflate", "br, deflate", "gzipx", "xgzip"})
  void otherCodingsMeanIdentity(String acceptEncoding) {
    assertThat(IndexEndpoint.acceptsGzip(acceptEncoding)).isFalse();
  }
}
