package org.flagstate.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The colour pairs of the style sheet meet WCAG AA contrast (4.5:1 for text) in the light scheme
 * and in the dark one ({@code prefers-color-scheme: dark}), read from the custom properties of
 * {@code app.css}.
 */
class ContrastTest {

  /** Text colour on background colour, as the style sheet pairs them. */
  static final List<String[]> PAIRS =
      List.of(
          new String[] {"--text", "--bg"},
          new String[] {"--text", "--surface"},
          new String[] {"--muted", "--bg"},
          new String[] {"--muted", "--surface"},
          new String[] {"--accent", "--bg"},
          new String[] {"--accent", "--surface"},
          new String[] {"--accent", "--accent-soft"},
          new String[] {"--accent-text", "--accent"},
          new String[] {"--text", "--accent-soft"},
          new String[] {"--text", "--code-bg"},
          new String[] {"--badge-text", "--badge-bg"},
          new String[] {"--ok", "--ok-bg"},
          new String[] {"--warn", "--warn-bg"},
          new String[] {"--text", "--ok-bg"},
          new String[] {"--muted", "--code-bg"},
          new String[] {"--muted", "--accent-soft"},
          new String[] {"--muted", "--badge-bg"});

  @Test
  void everyPairMeetsAaInBothSchemes() throws IOException {
    String css;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("ui/assets/app.css")) {
      css = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int dark = css.indexOf("@media (prefers-color-scheme: dark)");
    Map<String, String> light = colours(css.substring(0, dark));
    Map<String, String> darkColours = new HashMap<>(light);
    darkColours.putAll(colours(css.substring(dark, css.indexOf("}\n}", dark))));
    for (Map<String, String> scheme : List.of(light, darkColours)) {
      for (String[] pair : PAIRS) {
        double ratio = contrast(scheme.get(pair[0]), scheme.get(pair[1]));
        assertThat(ratio)
            .as("%s on %s (%s on %s)", pair[0], pair[1], scheme.get(pair[0]), scheme.get(pair[1]))
            .isGreaterThanOrEqualTo(4.5);
      }
    }
  }

  private static Map<String, String> colours(String css) {
    Map<String, String> colours = new HashMap<>();
    Matcher matcher = Pattern.compile("(--[a-z-]+):\\s*(#[0-9a-fA-F]{6})").matcher(css);
    while (matcher.find()) {
      colours.put(matcher.group(1), matcher.group(2));
    }
    return colours;
  }

  static double contrast(String a, String b) {
    double la = luminance(a);
    double lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  private static double luminance(String hex) {
    double[] channels = new double[3];
    for (int i = 0; i < 3; i++) {
      double c = Integer.parseInt(hex.substring(1 + 2 * i, 3 + 2 * i), 16) / 255.0;
      channels[i] = c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }
}
