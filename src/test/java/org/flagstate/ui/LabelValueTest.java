package org.flagstate.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Label values as pages show them: text and http(s) links only, long values cut, XML kept as text.
 */
class LabelValueTest {

  @Test
  void httpUrlsBecomeLinksWithoutTrailingPunctuation() {
    LabelValue value =
        LabelValue.of("Docs at https://example.org/docs, source (https://git.example.org/x).");
    assertThat(value.segments())
        .containsExactly(
            new LabelValue.Segment("Docs at ", null),
            new LabelValue.Segment("https://example.org/docs", "https://example.org/docs"),
            new LabelValue.Segment(", source (", null),
            new LabelValue.Segment("https://git.example.org/x", "https://git.example.org/x"),
            new LabelValue.Segment(").", null));
  }

  @Test
  void otherSchemesAndMarkupStayText() {
    for (String text :
        List.of(
            "javascript:alert(1)",
            "<a href=\"https://x\">x</a>",
            "data:text/html,<script>x</script>",
            "ftp://example.org/file")) {
      LabelValue value = LabelValue.of(text);
      assertThat(value.segments())
          .allSatisfy(
              segment -> {
                if (segment.href() != null) {
                  assertThat(segment.href()).startsWith("https://").doesNotContain("\"", "<", ">");
                }
              });
    }
    assertThat(LabelValue.of("javascript:alert(1)").segments())
        .extracting(LabelValue.Segment::href)
        .containsOnlyNulls();
  }

  @Test
  void longDataUrisAreCutAndXmlIsABlock() {
    LabelValue icon = LabelValue.of("data:image/png;base64," + "A".repeat(5000));
    assertThat(icon.segments().get(icon.segments().size() - 1).text()).contains("5,022 characters");
    assertThat(LabelValue.of("<component>\n  <id>x</id>\n</component>").block()).isTrue();
    assertThat(LabelValue.of("one line").block()).isFalse();
  }
}
