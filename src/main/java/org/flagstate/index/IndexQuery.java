package org.flagstate.index;

import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A parsed, validated Flatpak index query. Values under one key are OR'ed, keys are AND'ed; an
 * empty set means "no condition". Sets are sorted, so equal queries have equal {@link #cacheKey()}s
 * whatever order the client wrote them in.
 */
public record IndexQuery(
    SortedSet<String> repositories,
    SortedSet<String> tags,
    SortedSet<String> oses,
    SortedSet<String> architectures,
    List<KeyCondition> labels,
    List<KeyCondition> annotations) {

  /**
   * Conditions on one label or annotation key: it exists (when {@code exists}) or equals one of
   * {@code values}.
   */
  public record KeyCondition(String key, boolean exists, SortedSet<String> values) {
    public KeyCondition {
      Objects.requireNonNull(key);
      values = new TreeSet<>(values);
    }
  }

  public IndexQuery {
    repositories = new TreeSet<>(repositories);
    tags = new TreeSet<>(tags);
    oses = new TreeSet<>(oses);
    architectures = new TreeSet<>(architectures);
    labels = List.copyOf(labels);
    annotations = List.copyOf(annotations);
  }

  /**
   * A canonical text form, prefixed {@code index:}: equal for equal queries, different for
   * different ones.
   */
  public String cacheKey() {
    StringBuilder key = new StringBuilder("index:");
    append(key, "r", repositories);
    append(key, "t", tags);
    append(key, "o", oses);
    append(key, "a", architectures);
    for (KeyCondition label : labels) {
      append(key, (label.exists() ? "L!" : "L=") + escape(label.key()), label.values());
    }
    for (KeyCondition annotation : annotations) {
      append(
          key, (annotation.exists() ? "A!" : "A=") + escape(annotation.key()), annotation.values());
    }
    return key.toString();
  }

  private static void append(StringBuilder key, String name, SortedSet<String> values) {
    if (values.isEmpty() && !name.startsWith("L!") && !name.startsWith("A!")) {
      return;
    }
    key.append(name).append('(');
    for (String value : values) {
      key.append(escape(value)).append(',');
    }
    key.append(')');
  }

  private static String escape(String text) {
    return text.replace("\\", "\\\\").replace(",", "\\,").replace("(", "\\(").replace(")", "\\)");
  }
}
