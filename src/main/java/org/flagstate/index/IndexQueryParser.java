package org.flagstate.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.flagstate.http.InvalidQueryException;
import org.flagstate.http.QueryStrings;

/**
 * Turns the raw query string of {@code /index/static} and {@code /index/dynamic} into an {@link
 * IndexQuery}, refusing anything index-protocol.md §1 does not define: unknown or empty keys,
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

  /**
   * @param rawQuery the query string as sent (still percent-encoded), or null
   */
  public IndexQuery parse(String rawQuery) {
    var repositories = new TreeSet<String>();
    var tags = new TreeSet<String>();
    var oses = new TreeSet<String>();
    var architectures = new TreeSet<String>();
    Map<String, ConditionBuilder> labels = new TreeMap<>();
    Map<String, ConditionBuilder> annotations = new TreeMap<>();
    for (QueryStrings.Term term : QueryStrings.parse(rawQuery, maxTerms, maxQueryBytes)) {
      String key = term.key();
      String value = term.value();
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
            throw new InvalidQueryException(
                key,
                "unknown parameter '"
                    + key
                    + "'; the index understands repository, "
                    + "tag, os, architecture, label:NAME, label:NAME:exists, annotation:NAME, annotation:NAME:exists");
          }
        }
      }
    }
    return new IndexQuery(
        repositories, tags, oses, architectures, build(labels), build(annotations));
  }

  private static void addKeyCondition(
      Map<String, ConditionBuilder> into, String key, String prefix, String value) {
    String name = key.substring(prefix.length());
    boolean exists = name.endsWith(EXISTS_SUFFIX);
    if (exists) {
      name = name.substring(0, name.length() - EXISTS_SUFFIX.length());
      if (!value.equals("1")) {
        throw new InvalidQueryException(key, "parameter '" + key + "' only takes the value 1");
      }
    }
    if (name.isEmpty()) {
      throw new InvalidQueryException(
          key, "parameter '" + key + "' needs a name after '" + prefix + "'");
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
    // label:K:exists=1 and label:K=V are different keys, so AND: "equals V" already implies
    // "exists",
    // and keeping exists would turn the condition into "exists OR equals V" (KeyCondition,
    // IndexReader).
    conditions
        .values()
        .forEach(
            c ->
                result.add(
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
}
