package org.flagstate.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Values a hostile or broken client sends, drawn from one seeded {@link Random}: SQL fragments,
 * NUL, broken and overlong %-escapes, invalid UTF-8, odd Unicode (lone combining marks, bidi
 * controls, astral characters), numbers at and past every limit, names and digests near the
 * registry's grammar, and oversized values, mixed with plausible ones so the requests also reach
 * the code behind the validation.
 */
final class NastyValues {

  static final List<String> SQL =
      List.of(
          "' OR '1'='1",
          "'; drop table repository; --",
          "1; select pg_sleep(30)--",
          "\\",
          "%",
          "_",
          "%_%",
          "$1",
          "::text",
          "' || (select version()) || '",
          "\") or 1=1 --",
          "*/",
          "/*",
          "E'\\\\x00'",
          "'); notify flagstate_inbox_appended, 'x'; --",
          "x' and 1=(select count(*) from inbox) and 'a'='a",
          "': *",
          "'a':* | !b",
          "a & b | !c <-> d",
          "label:a:exists=1' --");

  static final List<String> UNICODE =
      List.of(
          "é",
          "日本語",
          "\u0301",
          "\u0301\u0301x",
          "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
          "🙂",
          "\u202eevil",
          "a\u200bb",
          "ǅ",
          "İ",
          "ß",
          "\ufeff",
          "Ω",
          "x\u0308",
          "\u0000",
          "a\u0000b",
          "\u007f",
          "\u0085",
          "\u2028",
          "\uffff",
          "ﬃ",
          "𝟘𝟙",
          "٣",
          "\u0e01\u0e34",
          "Straße",
          "café",
          "ℌ");

  static final List<String> NUMBERS =
      List.of(
          "-1",
          "0",
          "1",
          "25",
          "64",
          "65",
          "100",
          "101",
          "100000",
          "100001",
          "2147483647",
          "2147483648",
          "99999999999999999999",
          "1e3",
          "0x10",
          " 1",
          "01",
          "1.5",
          "",
          "+1",
          "٣",
          "1 ",
          "NaN",
          "-0");

  static final List<String> NAMES =
      List.of(
          "fuzz/hello",
          "fuzz/multi",
          "fuzz/plain",
          "library/nothing",
          "a",
          "a/b",
          "Fuzz/Hello",
          "fuzz//hello",
          "fuzz/hello/",
          "/fuzz/hello",
          "fuzz/../hello",
          "..",
          ".",
          "fuzz/-hello",
          "fuzz/he__llo",
          "fuzz/he___llo",
          "a".repeat(255),
          "a".repeat(256),
          "fuzz/hello.",
          "fuzz/hello-",
          "x/" + "y".repeat(300));

  static final List<String> TAGS =
      List.of(
          "latest",
          "v1",
          "1.0",
          "-dash",
          ".dot",
          "a".repeat(128),
          "a".repeat(129),
          "LATEST",
          "tag with space",
          "tag:colon",
          "_under");

  static final List<String> DIGESTS =
      List.of(
          "sha256:" + "a".repeat(64),
          "sha256:" + "A".repeat(64),
          "sha256:" + "a".repeat(63),
          "sha256:" + "a".repeat(65),
          "sha512:" + "b".repeat(128),
          "sha256:",
          "sha256:" + "g".repeat(64),
          "md5:" + "c".repeat(32),
          "sha256+b64:" + "d".repeat(64),
          ":" + "e".repeat(64),
          "sha256:" + "f".repeat(300),
          "SHA256:" + "a".repeat(64),
          "a:b:c");

  static final List<String> BROKEN_ESCAPES =
      List.of(
          "%",
          "%4",
          "%zz",
          "%G1",
          "%%",
          "%C3%28",
          "%ED%A0%80",
          "%FF",
          "%FF%FE",
          "%00",
          "%E2%82",
          "%C0%AF",
          "%F4%90%80%80",
          "%c3",
          "%2",
          "%-1",
          "%u0041",
          "%25",
          "%2F",
          "%5C",
          "%0d%0a",
          "%0A");

  static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  static final String UNRESERVED =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~";

  private final Random random;

  NastyValues(Random random) {
    this.random = random;
  }

  Random random() {
    return random;
  }

  <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  boolean chance(double probability) {
    return random.nextDouble() < probability;
  }

  int between(int min, int maxInclusive) {
    return min + random.nextInt(maxInclusive - min + 1);
  }

  /** A decoded value: anything a client might mean, NUL and unpaired Unicode included. */
  String value() {
    return switch (random.nextInt(10)) {
      case 0 -> pick(SQL);
      case 1 -> pick(UNICODE);
      case 2 -> pick(NUMBERS);
      case 3 -> pick(NAMES);
      case 4 -> pick(TAGS);
      case 5 -> pick(DIGESTS);
      case 6 -> ascii(between(1, 12), PUNCTUATION + UNRESERVED);
      case 7 -> ascii(between(300, random.nextBoolean() ? 1200 : 5000), UNRESERVED);
      case 8 ->
          pick(
              List.of(
                  "amd64",
                  "arm64",
                  "linux",
                  "windows",
                  "org.flatpak.ref",
                  "app/org.test.Hello/x86_64/master",
                  "hello",
                  "fuzz",
                  "1",
                  "true"));
      default ->
          value() + pick(List.of("", " ", "\t", "\n", "&", "=", "+", "#", "?", "/")) + value();
    };
  }

  String ascii(int length, String alphabet) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return text.toString();
  }

  /**
   * {@code text} made fit for a request target (no byte that ends the request line) in one of
   * several ways: fully %-encoded, form-encoded, only the framing bytes encoded, or with a broken
   * escape spliced in.
   */
  String encoded(String text, boolean inPath) {
    String encoded =
        switch (random.nextInt(4)) {
          case 0 -> percentEncode(text, "");
          case 1 ->
              percentEncode(text, inPath ? "/:@!$'()*,;" : "/:@!$'()*,;?")
                  .replace("%20", inPath ? "%20" : "+");
          case 2 -> framingEncoded(text, inPath);
          default -> percentEncode(text, "/:");
        };
    if (chance(0.15)) {
      int at = random.nextInt(encoded.length() + 1);
      encoded = encoded.substring(0, at) + pick(BROKEN_ESCAPES) + encoded.substring(at);
    }
    return encoded;
  }

  /**
   * Every byte outside {@link #UNRESERVED} and {@code keep} as %XX of its UTF-8 (lone surrogates
   * become '?').
   */
  static String percentEncode(String text, String keep) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (c < 128 && (UNRESERVED.indexOf(c) >= 0 || keep.indexOf(c) >= 0)) {
        out.append(c);
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /**
   * Only what would end or split the request line or the term is encoded (controls, space, '#', and
   * in a query '&' and '='); everything else, raw non-ASCII included, goes as it is.
   */
  static String framingEncoded(String text, boolean inPath) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      boolean framing =
          c < 0x21
              || c == 0x7f
              || c == '#'
              || (!inPath && (c == '&' || c == '=' || c == '+'))
              || c == 0x85
              || c == 0x2028;
      if (framing) {
        out.append(percentEncode(new String(Character.toChars(c)), ""));
      } else {
        out.appendCodePoint(c);
      }
      i += Character.charCount(c);
    }
    return out.toString();
  }
}
