package org.flagstate.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The value types a configuration key can have; each knows how to read and check a raw value. */
public enum SettingType {
  STRING("a string") {
    @Override
    Object parse(Object raw) {
      if (raw instanceof String || raw instanceof Number || raw instanceof Boolean) {
        return raw.toString();
      }
      throw new IllegalArgumentException();
    }
  },
  PORT("a port number 1..65535") {
    @Override
    Object parse(Object raw) {
      int port = integer(raw);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException();
      }
      return port;
    }
  },
  POSITIVE_INT("a whole number greater than 0") {
    @Override
    Object parse(Object raw) {
      int value = integer(raw);
      if (value <= 0) {
        throw new IllegalArgumentException();
      }
      return value;
    }
  },
  NON_NEGATIVE_INT("a whole number 0 or greater") {
    @Override
    Object parse(Object raw) {
      int value = integer(raw);
      if (value < 0) {
        throw new IllegalArgumentException();
      }
      return value;
    }
  },
  DURATION("a duration such as 500ms, 30s, 5m, 1h") {
    private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    @Override
    Object parse(Object raw) {
      if (!(raw instanceof String text)) {
        throw new IllegalArgumentException();
      }
      Matcher m = FORMAT.matcher(text.trim().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new IllegalArgumentException();
      }
      long amount = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
  },
  SIZE("a size in bytes such as 1048576, 512KiB, 64MiB, 1GiB") {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,12})\\s*(|b|kib|mib|gib)");

    @Override
    Object parse(Object raw) {
      String text =
          raw instanceof Number number
              ? number.toString()
              : raw instanceof String string ? string : null;
      if (text == null) {
        throw new IllegalArgumentException();
      }
      Matcher m = FORMAT.matcher(text.trim().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new IllegalArgumentException();
      }
      long amount = Long.parseLong(m.group(1));
      long bytes =
          switch (m.group(2)) {
            case "kib" -> amount << 10;
            case "mib" -> amount << 20;
            case "gib" -> amount << 30;
            default -> amount;
          };
      if (bytes <= 0) {
        throw new IllegalArgumentException();
      }
      return bytes;
    }
  },
  BOOLEAN("true or false") {
    @Override
    Object parse(Object raw) {
      if (raw instanceof Boolean b) {
        return b;
      }
      if (raw instanceof String s && (s.equals("true") || s.equals("false"))) {
        return Boolean.parseBoolean(s);
      }
      throw new IllegalArgumentException();
    }
  };

  private final String description;

  SettingType(String description) {
    this.description = description;
  }

  /** What a valid value looks like, for error messages and the README. */
  public String description() {
    return description;
  }

  /**
   * Reads a raw value from YAML (String, Number, Boolean) or from the environment (String).
   *
   * @throws IllegalArgumentException when the value does not fit this type
   */
  abstract Object parse(Object raw);

  private static int integer(Object raw) {
    if (raw instanceof Integer i) {
      return i;
    }
    if (raw instanceof String s && s.trim().matches("-?\\d{1,9}")) {
      return Integer.parseInt(s.trim());
    }
    throw new IllegalArgumentException();
  }
}
