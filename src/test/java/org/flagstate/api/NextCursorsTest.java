package org.flagstate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.flagstate.cache.RenderedResponse;
import org.junit.jupiter.api.Test;

class NextCursorsTest {

  private static byte[] body(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void findsTheCursorOfABodyByEitherEtag() {
    NextCursors cursors = new NextCursors(10);
    byte[] page = body("{\"next\":\"abc\"}");
    assertThat(cursors.remember(page, "abc")).isSameAs(page);
    RenderedResponse rendered = RenderedResponse.of(page, 0);
    assertThat(cursors.next(rendered.etag())).isEqualTo("abc");
    assertThat(cursors.next(rendered.gzipEtag())).isEqualTo("abc");
  }

  @Test
  void aLastPageAndAnUnknownEtagHaveNoNext() {
    NextCursors cursors = new NextCursors(10);
    byte[] last = body("{\"next\":null}");
    cursors.remember(last, null);
    assertThat(cursors.next(RenderedResponse.of(last, 0).etag())).isNull();
    assertThat(cursors.next("\"unknown\"")).isNull();
    assertThat(cursors.next(null)).isNull();
  }

  @Test
  void keepsTheMostRecentlyUsedBodies() {
    NextCursors cursors = new NextCursors(4);
    byte[] kept = body("kept");
    cursors.remember(kept, "k");
    for (int i = 0; i < 5; i++) {
      cursors.next(RenderedResponse.of(kept, 0).etag());
      cursors.remember(body("other" + i), "o" + i);
    }
    assertThat(cursors.next(RenderedResponse.of(kept, 0).etag())).isEqualTo("k");
    assertThat(cursors.next(RenderedResponse.of(body("other0"), 0).etag())).isNull();
  }
}
