package org.flagstate.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits and decodes a raw query string strictly, for every endpoint that takes parameters: bad
 * %-escapes, invalid UTF-8, NUL characters (no name, tag or label can hold one, and PostgreSQL text
 * refuses them), empty names, names without a value and too many terms or bytes are refused with an
 * {@link InvalidQueryException} naming the parameter. Empty segments ({@code a=1&&b=2}) are
 * skipped.
 */
public final class QueryStrings {

  /** One decoded {@code key=value} term. */
  public record Term(String key, String value) {}

  private QueryStrings() {}

  /** A whole number in [min, max], or an error naming the parameter. */
  public static int wholeNumber(String name, String value, int min, int max) {
    if (!value.matches("\\d{1,9}")) {
      throw new InvalidQueryException(
          name, "parameter '" + name + "' must be a whole number from " + min + " to " + max);
    }
    int number = Integer.parseInt(value);
    if (number < min || number > max) {
      throw new InvalidQueryException(
          name, "parameter '" + name + "' must be from " + min + " to " + max);
    }
    return number;
  }

  /**
   * @param rawQuery the query string as sent (still percent-encoded), or null
   */
  public static List<Term> parse(String rawQuery, int maxTerms, int maxBytes) {
    List<Term> terms = new ArrayList<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return terms;
    }
    if (rawQuery.length() > maxBytes) {
      throw new InvalidQueryException("", "the query string is longer than " + maxBytes + " bytes");
    }
    for (String term : rawQuery.split("&")) {
      if (term.isEmpty()) {
        continue;
      }
      if (terms.size() == maxTerms) {
        throw new InvalidQueryException("", "the query has more than " + maxTerms + " terms");
      }
      int equals = term.indexOf('=');
      String key = decode(equals < 0 ? term : term.substring(0, equals), term);
      if (key.isEmpty()) {
        throw new InvalidQueryException(key, "a parameter has an empty name");
      }
      if (equals < 0) {
        throw new InvalidQueryException(
            key, "parameter '" + key + "' has no value (write " + key + "=...)");
      }
      terms.add(new Term(key, decode(term.substring(equals + 1), key)));
    }
    return terms;
  }

  /**
   * Strict application/x-www-form-urlencoded decoding: bad escapes, invalid UTF-8 and NUL are
   * refused.
   */
  public static String decode(String text, String parameter) {
    String decoded = decodeEscapes(text, parameter);
    if (decoded.indexOf('\0') >= 0) {
      throw new InvalidQueryException(
          parameter, "parameter '" + parameter + "' contains a NUL character (%00)");
    }
    return decoded;
  }

  private static String decodeEscapes(String text, String parameter) {
    if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
      return text;
    }
    ByteBuffer bytes = ByteBuffer.allocate(text.length() * 3);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '+') {
        bytes.put((byte) ' ');
      } else if (c == '%') {
        if (i + 2 >= text.length() || hex(text.charAt(i + 1)) < 0 || hex(text.charAt(i + 2)) < 0) {
          throw new InvalidQueryException(
              parameter, "parameter '" + parameter + "' has a malformed %-escape");
        }
        bytes.put((byte) (hex(text.charAt(i + 1)) << 4 | hex(text.charAt(i + 2))));
        i += 2;
      } else {
        bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    bytes.flip();
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidQueryException(
          parameter, "parameter '" + parameter + "' is not valid UTF-8");
    }
  }

  /** The value of an ASCII hex digit, or -1 (Character.digit would also take non-ASCII digits). */
  static int hex(char c) {
    return c < 128 ? Character.digit(c, 16) : -1;
  }
}
