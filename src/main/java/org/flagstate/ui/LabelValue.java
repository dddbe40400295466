package org.flagstate.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A label or annotation value, split for display: text, and http(s) URLs that become links. Labels
 * are untrusted, so nothing here is markup: the template escapes every segment, only {@code http:}
 * and {@code https:} URLs ever reach an {@code href}, and appstream XML is shown as text. Very long
 * values (icons as {@code data:} URIs) are shortened; multi-line ones (appstream XML, Flatpak
 * metadata) are shown as a block.
 *
 * @param block true when the value should be shown preformatted (it has line breaks)
 */
public record LabelValue(List<Segment> segments, boolean block) {

  /** Values longer than this are cut, with a note of their length. */
  static final int MAX_SHOWN = 2000;

  private static final Pattern URL =
      Pattern.compile("https?://[^\\s<>\"'`\\\\\\p{Cntrl}]+", Pattern.CASE_INSENSITIVE);
  private static final String TRAILING_PUNCTUATION = ".,;:!?)]}";

  /** Text, linked to {@code href} when it is not null. */
  public record Segment(String text, String href) {}

  public static LabelValue of(String value) {
    String shown = value;
    String note = null;
    if (value.startsWith("data:") && value.length() > 120) {
      shown = value.substring(0, 80);
      note = "… (" + String.format("%,d", value.length()) + " characters)";
    } else if (value.length() > MAX_SHOWN) {
      shown = value.substring(0, MAX_SHOWN);
      note = "… (" + String.format("%,d", value.length()) + " characters in all)";
    }
    List<Segment> segments = new ArrayList<>();
    Matcher matcher = URL.matcher(shown);
    int at = 0;
    while (matcher.find()) {
      int end = matcher.end();
      while (end > matcher.start() && TRAILING_PUNCTUATION.indexOf(shown.charAt(end - 1)) >= 0) {
        end--;
      }
      if (matcher.start() > at) {
        segments.add(new Segment(shown.substring(at, matcher.start()), null));
      }
      String url = shown.substring(matcher.start(), end);
      segments.add(new Segment(url, url));
      at = end;
    }
    if (at < shown.length()) {
      segments.add(new Segment(shown.substring(at), null));
    }
    if (note != null) {
      segments.add(new Segment(note, null));
    }
    return new LabelValue(List.copyOf(segments), value.indexOf('\n') >= 0);
  }
}
