package org.flagstate.api;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.flagstate.http.InvalidQueryException;

/**
 * The opaque {@code cursor} of the paged API endpoints: the last repository name of the previous
 * page, versioned and base64url-encoded so clients treat it as a token. Decoding is strict and
 * accepts only the canonical encoding, so one position has one cursor (and one cache key).
 */
public final class Cursor {

  public static final String PARAMETER = "cursor";
  private static final String VERSION = "1:";
  private static final int MAX_LENGTH = 1024;

  private Cursor() {}

  /** The cursor of the page that starts after repository {@code lastName}. */
  public static String after(String lastName) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((VERSION + lastName).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The repository name a cursor continues after; refuses anything {@link #after} did not produce.
   */
  static String decode(String cursor) {
    if (cursor.isEmpty() || cursor.length() > MAX_LENGTH) {
      throw invalid();
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(cursor);
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw invalid();
    }
    if (!text.startsWith(VERSION) || text.length() == VERSION.length()) {
      throw invalid();
    }
    String name = text.substring(VERSION.length());
    if (!after(name).equals(cursor)) {
      throw invalid();
    }
    return name;
  }

  private static InvalidQueryException invalid() {
    return new InvalidQueryException(
        PARAMETER,
        "parameter 'cursor' is not a cursor this server issued; take it from 'next' or the Link header");
  }
}
