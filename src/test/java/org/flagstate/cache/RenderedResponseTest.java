package org.flagstate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * index-protocol.md §1, "Caching": byte-derived strong ETags, If-None-Match, precompressed gzip.
 */
class RenderedResponseTest {

  private static final byte[] BODY =
      "{\"Registry\":\"/\",\"Results\":[]}".getBytes(StandardCharsets.UTF_8);
  private static final long NOW = 1_700_000_000_123L;

  private static byte[] gunzip(byte[] gzip) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      return in.readAllBytes();
    }
  }

  @Test
  void sameBytesGiveTheSameEtagWhateverTheTime() {
    RenderedResponse first = RenderedResponse.of(BODY.clone(), NOW);
    RenderedResponse second = RenderedResponse.of(BODY.clone(), NOW + 86_400_000L);

    assertThat(second.etag()).isEqualTo(first.etag());
    assertThat(second.gzipEtag()).isEqualTo(first.gzipEtag());
  }

  @Test
  void oneByteDifferentGivesADifferentEtag() {
    byte[] changed = BODY.clone();
    changed[changed.length - 2] = '}';

    RenderedResponse original = RenderedResponse.of(BODY, NOW);
    RenderedResponse other = RenderedResponse.of(changed, NOW);

    assertThat(other.etag()).isNotEqualTo(original.etag());
    assertThat(other.gzipEtag()).isNotEqualTo(original.gzipEtag());
  }

  @Test
  void etagsAreStrongQuotedAndDifferPerEncoding() {
    RenderedResponse response = RenderedResponse.of(BODY, NOW);

    assertThat(response.etag()).matches("\"[^\"]+\"");
    assertThat(response.gzipEtag()).matches("\"[^\"]+\"");
    assertThat(response.gzipEtag()).isNotEqualTo(response.etag());
  }

  @Test
  void identityBufferHoldsTheBodyBytes() {
    assertThat(RenderedResponse.of(BODY, NOW).identity().getBytes()).isEqualTo(BODY);
  }

  @Test
  void gzipBodyDecompressesToTheIdentityBytes() throws IOException {
    RenderedResponse response = RenderedResponse.of(BODY, NOW);

    assertThat(gunzip(response.gzip().getBytes())).isEqualTo(response.identity().getBytes());
  }

  @Test
  void gzipOfAnEmptyBodyDecompressesToNothing() throws IOException {
    assertThat(gunzip(RenderedResponse.of(new byte[0], NOW).gzip().getBytes())).isEmpty();
  }

  @Test
  void gzipBytesAreDeterministic() {
    byte[] first = RenderedResponse.of(BODY, NOW).gzip().getBytes();
    byte[] second = RenderedResponse.of(BODY.clone(), NOW + 5_000).gzip().getBytes();

    assertThat(second).isEqualTo(first);
  }

  @Test
  void lastModifiedIsTruncatedToSecondsAndFormattedAsHttpDate() {
    RenderedResponse response = RenderedResponse.of(BODY, NOW);

    assertThat(response.lastModifiedMillis()).isEqualTo(1_700_000_000_000L);
    assertThat(response.lastModified()).isEqualTo("Tue, 14 Nov 2023 22:13:20 GMT");
  }

  @Test
  void matchesItsOwnIdentityEtag() {
    RenderedResponse response = RenderedResponse.of(BODY, NOW);

    assertThat(response.matchesAny(response.etag())).isTrue();
  }

  @Test
  void matchesItsOwnGzipEtag() {
    RenderedResponse response = RenderedResponse.of(BODY, NOW);

    assertThat(response.matchesAny(response.gzipEtag())).isTrue();
  }

  @Test
  void matchesStar() {
    RenderedResponse response = RenderedResponse.of(BODY, NOW);

    assertThat(response.matchesAny("*")).isTrue();
    assertThat(response.matchesAny(" * ")).isTrue();
  }

  @Test
  void matchesAnEtagAnywhereInAList() {
    RenderedResponse response = RenderedResponse.of(BODY, NOW);

    assertThat(response.matchesAny("\"other\", " + response.etag())).isTrue();
    assertThat(response.matchesAny(response.gzipEtag() + ",\"other\"")).isTrue();
    assertThat(response.matchesAny("\"a\",\"b\" ,  " + response.etag() + "  , \"c\"")).isTrue();
  }

  @Test
  void matchesAWeakFormOfItsEtag() {
    RenderedResponse response = RenderedResponse.of(BODY, NOW);

    assertThat(response.matchesAny("W/" + response.etag())).isTrue();
    assertThat(response.matchesAny("\"x\", W/" + response.gzipEtag())).isTrue();
  }

  @Test
  void doesNotMatchOtherEtags() {
    RenderedResponse response = RenderedResponse.of(BODY, NOW);
    RenderedResponse other = RenderedResponse.of("{}".getBytes(StandardCharsets.UTF_8), NOW);

    assertThat(response.matchesAny(other.etag())).isFalse();
    assertThat(response.matchesAny(other.etag() + ", " + other.gzipEtag())).isFalse();
    assertThat(response.matchesAny("")).isFalse();
  }

  @Test
  void doesNotMatchTheUnquotedEtag() {
    RenderedResponse response = RenderedResponse.of(BODY, NOW);
    String unquoted = response.etag().substring(1, response.etag().length() - 1);

    assertThat(response.matchesAny(unquoted)).isFalse();
  }
}
