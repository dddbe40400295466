package org.flagstate.http;

import java.util.Comparator;

/**
 * The one total order of names in every response (repositories, tags, digests, label keys): UTF-8
 * byte order, the order distribution lists its catalog in and PostgreSQL's {@code COLLATE "C"}.
 * Equal data then renders to equal bytes, which keeps byte-derived ETags stable.
 */
public final class Bytewise {

  /** UTF-8 byte order, which for Java strings is code point order. */
  public static final Comparator<String> ORDER =
      (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
          int ca = a.codePointAt(i);
          int cb = b.codePointAt(j);
          if (ca != cb) {
            return Integer.compare(ca, cb);
          }
          i += Character.charCount(ca);
          j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
      };

  private Bytewise() {}
}
