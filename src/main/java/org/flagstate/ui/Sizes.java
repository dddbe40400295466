package org.flagstate.ui;

import java.util.Locale;

/**
 * Byte counts as people read them: 1,234 bytes → "1.2 kB" (SI units, as podman and Flatpak print
 * them).
 */
public final class Sizes {

  private static final String[] UNITS = {"kB", "MB", "GB", "TB", "PB"};

  private Sizes() {}

  /** "–" for null. */
  public static String human(Long bytes) {
    if (bytes == null || bytes < 0) {
      return "–";
    }
    if (bytes < 1000) {
      return bytes + " B";
    }
    double value = bytes;
    int unit = -1;
    while (value >= 999.95 && unit < UNITS.length - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, value < 10 ? "%.1f %s" : "%.0f %s", value, UNITS[unit]);
  }

  /** The exact count, for a title: "1,234,567 bytes". */
  public static String exact(Long bytes) {
    return bytes == null ? "size unknown" : String.format(Locale.ROOT, "%,d bytes", bytes);
  }

  /**
   * A decimal count from a label (Flatpak's download and installed sizes); null when it is not one.
   */
  public static Long parse(String text) {
    if (text == null || !text.strip().matches("[0-9]{1,18}")) {
      return null;
    }
    return Long.parseLong(text.strip());
  }
}
