package org.flagstate.ui;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A moment as a page shows it: the exact UTC time as text and in {@code <time datetime>}. The
 * script turns the text into "3 days ago" in the browser (keeping the exact time on hover), so a
 * cached page never shows a relative time that has gone stale.
 *
 * @param iso machine-readable, for {@code datetime}
 * @param exact what a person reads without JavaScript and on hover
 */
public record Timestamp(String iso, String exact) {

  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'");
  private static final DateTimeFormatter EXACT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss 'UTC'");

  /** Null for null. */
  public static Timestamp of(OffsetDateTime time) {
    if (time == null) {
      return null;
    }
    OffsetDateTime utc = time.withOffsetSameInstant(ZoneOffset.UTC);
    return new Timestamp(ISO.format(utc), EXACT.format(utc));
  }

  /**
   * An image config's {@code created} (RFC 3339 text from an untrusted label source); null when
   * unreadable.
   */
  public static Timestamp parse(String rfc3339) {
    if (rfc3339 == null || rfc3339.length() > 64) {
      return null;
    }
    try {
      return of(OffsetDateTime.parse(rfc3339));
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
