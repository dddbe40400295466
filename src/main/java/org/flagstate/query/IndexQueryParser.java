package org.flagstate.query;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns the raw query string of {@code /index/static} and {@code /index/dynamic} into an
 * {@link IndexQuery}, refusing anything index-protocol.md §1 does not define: unknown or empty keys,
 * {@code :exists} with a value other than 1, bad percent-encoding, too many terms or bytes.
 */
public final class IndexQueryParser {

  private static final String EXISTS_SUFFIX = ":exists";

  private final int maxTerms;
  private final int maxQueryBytes;

  public IndexQueryParser(int maxTerms, int maxQueryBytes) {
    this.maxTerms = maxTerms;
    this.maxQueryBytes = maxQueryBytes;
  }

  /** @param rawQuery the query string as sent (still percent-encoded), or null */
  public IndexQuery parse(String rawQuery) {
    var repositories = new TreeSet<String>();
    var tags = new TreeSet<String>();
    var oses = new TreeSet<String>();
    var architectures = new TreeSet<String>();
    Map<String, ConditionBuilder> labels = new TreeMap<>();
    Map<String, ConditionBuilder> annotations = new TreeMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      if (rawQuery.length() > maxQueryBytes) {
        throw new InvalidQueryException("", "the query string is longer than " + maxQueryBytes + " bytes");
      }
      int terms = 0;
      for (String term : rawQuery.split("&")) {
        if (term.isEmpty()) {
          continue;
        }
        if (++terms > maxTerms) {
          throw new InvalidQueryException("", "the query has more than " + maxTerms + " terms");
        }
        int equals = term.indexOf('=');
        String key = decode(equals < 0 ? term : term.substring(0, equals), term);
        String value = equals < 0 ? null : decode(term.substring(equals + 1), key);
        if (key.isEmpty()) {
          throw new InvalidQueryException(key, "a parameter has an empty name");
        }
        if (value == null) {
          throw new InvalidQueryException(key, "parameter '" + key + "' has no value (write " + key + "=...)");
        }
        switch (key) {
          case "repository" -> repositories.add(nonEmpty(key, value));
          case "tag" -> tags.add(nonEmpty(key, value));
          case "os" -> oses.add(nonEmpty(key, value));
          case "architecture" -> architectures.add(nonEmpty(key, value));
          default -> {
            if (key.startsWith("label:")) {
              addKeyCondition(labels, key, "label:", value);
            } else if (key.startsWith("annotation:")) {
              addKeyCondition(annotations, key, "annotation:", value);
            } else {
              throw new InvalidQueryException(key, "unknown parameter '" + key + "'; the index understands repository, "
                  + "tag, os, architecture, label:NAME, label:NAME:exists, annotation:NAME, annotation:NAME:exists");
            }
          }
        }
      }
    }
    return new IndexQuery(repositories, tags, oses, architectures, build(labels), build(annotations));
  }

  private static void addKeyCondition(Map<String, ConditionBuilder> into, String key, String prefix, String value) {
    String name = key.substring(prefix.length());
    boolean exists = name.endsWith(EXISTS_SUFFIX);
    if (exists) {
      name = name.substring(0, name.length() - EXISTS_SUFFIX.length());
      if (!value.equals("1")) {
        throw new InvalidQueryException(key, "parameter '" + key + "' only takes the value 1");
      }
    }
    if (name.isEmpty()) {
      throw new InvalidQueryException(key, "parameter '" + key + "' needs a name after '" + prefix + "'");
    }
    ConditionBuilder condition = into.computeIfAbsent(name, ConditionBuilder::new);
    if (exists) {
      condition.exists = true;
    } else {
      condition.values.add(value);
    }
  }

  private static List<IndexQuery.KeyCondition> build(Map<String, ConditionBuilder> conditions) {
    List<IndexQuery.KeyCondition> result = new ArrayList<>();
    // label:K:exists=1 and label:K=V are different keys, so AND: "equals V" already implies "exists",
    // and keeping exists would turn the condition into "exists OR equals V" (KeyCondition, IndexReader).
    conditions.values().forEach(c -> result.add(
        new IndexQuery.KeyCondition(c.key, c.exists && c.values.isEmpty(), c.values)));
    return result;
  }

  private static final class ConditionBuilder {
    final String key;
    final TreeSet<String> values = new TreeSet<>();
    boolean exists;

    ConditionBuilder(String key) {
      this.key = key;
    }
  }

  private static String nonEmpty(String key, String value) {
    if (value.isEmpty()) {
      throw new InvalidQueryException(key, "parameter '" + key + "' has an empty value");
    }
    return value;
  }

  /** The value of an ASCII hex digit, or -1 (Character.digit would also take non-ASCII digits). */
  private static int hex(char c) {
    return c < 128 ? Character.digit(c, 16) : -1;
  }

  /** Strict application/x-www-form-urlencoded decoding: bad escapes and invalid UTF-8 are refused. */
  static String decode(String text, String parameter) {
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
          throw new InvalidQueryException(parameter, "parameter '" + parameter + "' has a malformed %-escape");
        }
        bytes.put((byte) (hex(text.charAt(i + 1)) << 4 | hex(text.charAt(i + 2))));
        i += 2;
      } else {
        bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    bytes.flip();
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidQueryException(parameter, "parameter '" + parameter + "' is not valid UTF-8");
    }
  }
}
