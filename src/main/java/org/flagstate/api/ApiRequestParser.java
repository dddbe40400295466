package org.flagstate.api;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.flagstate.http.Bytewise;
import org.flagstate.http.InvalidQueryException;
import org.flagstate.http.QueryStrings;
import org.flagstate.registry.MediaTypes;
import org.flagstate.registry.ReferenceGrammar;

/**
 * Validates every request of the JSON API before anything is read: unknown parameters, repeated
 * single-valued parameters, empty or out-of-range values, malformed cursors, repository names and
 * digests are refused with an {@link InvalidQueryException} naming the parameter (a 400, never a
 * 500).
 */
public final class ApiRequestParser {

  static final int MAX_TEXT = 256;

  /**
   * The hex digits of the registered algorithms; a registered algorithm's digest is lowercase hex
   * only.
   */
  private static final Map<String, Integer> REGISTERED_DIGEST_LENGTHS =
      Map.of("sha256", 64, "sha512", 128);

  private static final List<String> MEDIA_TYPES =
      List.of(
          MediaTypes.DOCKER_MANIFEST,
          MediaTypes.DOCKER_LIST,
          MediaTypes.OCI_INDEX,
          MediaTypes.OCI_MANIFEST);

  private final int maxTerms;
  private final int maxQueryBytes;

  public ApiRequestParser(int maxTerms, int maxQueryBytes) {
    this.maxTerms = maxTerms;
    this.maxQueryBytes = maxQueryBytes;
  }

  /** {@code /api/v1/repositories?limit=&cursor=}. */
  ApiPage listing(String rawQuery) {
    PageBuilder page = new PageBuilder();
    for (QueryStrings.Term term : terms(rawQuery)) {
      if (!page.accept(term)) {
        throw unknown(term.key(), "limit and cursor");
      }
    }
    return page.build();
  }

  /** {@code /api/v1/search?q=&architecture=&os=&label=&mediaType=&limit=&cursor=}. */
  public RepositorySearch search(String rawQuery) {
    PageBuilder page = new PageBuilder();
    String text = null;
    boolean textSeen = false;
    Set<String> architectures = new TreeSet<>(Bytewise.ORDER);
    Set<String> oses = new TreeSet<>(Bytewise.ORDER);
    Set<String> labels = new TreeSet<>(Bytewise.ORDER);
    Set<String> mediaTypes = new TreeSet<>(Bytewise.ORDER);
    Set<String> kinds = new TreeSet<>(Bytewise.ORDER);
    Set<String> namespaces = new TreeSet<>(Bytewise.ORDER);
    for (QueryStrings.Term term : terms(rawQuery)) {
      String key = term.key();
      String value = term.value();
      switch (key) {
        case "q" -> {
          if (textSeen) {
            throw repeated(key);
          }
          textSeen = true;
          String stripped = value.strip();
          if (stripped.length() > MAX_TEXT) {
            throw new InvalidQueryException(
                key, "parameter 'q' is longer than " + MAX_TEXT + " characters");
          }
          text = stripped.isEmpty() ? null : stripped;
        }
        case "architecture" -> architectures.add(word(key, value));
        case "os" -> oses.add(word(key, value));
        case "label" -> labels.add(word(key, value));
        case "mediaType" -> {
          if (!MEDIA_TYPES.contains(value)) {
            throw new InvalidQueryException(
                key, "parameter 'mediaType' must be one of " + String.join(", ", MEDIA_TYPES));
          }
          mediaTypes.add(value);
        }
        case "kind" ->
            kinds.add(
                ImageKind.byId(value)
                    .orElseThrow(
                        () ->
                            new InvalidQueryException(
                                key,
                                "parameter 'kind' must be one of flatpak-app, flatpak-runtime, cockpit-plugin, container-image"))
                    .id());
        case "namespace" -> {
          if (value.contains("/") || !ReferenceGrammar.isName(value)) {
            throw new InvalidQueryException(
                key,
                "parameter 'namespace' must be the first path component of a "
                    + "repository name (lowercase letters and digits separated by '.', '_', '__' or '-')");
          }
          namespaces.add(value);
        }
        default -> {
          if (!page.accept(term)) {
            throw unknown(
                key, "q, architecture, os, label, mediaType, kind, namespace, limit and cursor");
          }
        }
      }
    }
    return new RepositorySearch(
        text,
        new TreeSet<>(architectures),
        new TreeSet<>(oses),
        new TreeSet<>(labels),
        new TreeSet<>(mediaTypes),
        new TreeSet<>(kinds),
        new TreeSet<>(namespaces),
        page.build());
  }

  /** {@code /api/v1/repositories/<name>}: a valid repository name and no parameters. */
  public String repository(String name, String rawQuery) {
    noParameters(rawQuery, "a repository");
    if (name == null || !ReferenceGrammar.isName(name)) {
      throw new InvalidQueryException(
          "name",
          "'"
              + abbreviated(name)
              + "' is not a repository name "
              + "(lowercase path components of letters and digits separated by '/', '.', '_', '__' or '-')");
    }
    return name;
  }

  /** {@code /api/v1/digests/<digest>}: a well-formed digest and no parameters. */
  String digest(String digest, String rawQuery) {
    noParameters(rawQuery, "a digest lookup");
    boolean valid = digest != null && ReferenceGrammar.isDigest(digest) && canonical(digest);
    if (!valid) {
      throw new InvalidQueryException(
          "digest",
          "'"
              + abbreviated(digest)
              + "' is not a digest; write algorithm:hex, e.g. sha256: and 64 lowercase hex digits");
    }
    return digest;
  }

  /**
   * {@link ReferenceGrammar} admits any case and length of at least 32 hex digits; the index stores
   * digests as the registry writes them, with a lowercase algorithm and, for a registered one,
   * exactly its number of lowercase hex digits, so only that spelling can be found.
   */
  private static boolean canonical(String digest) {
    int colon = digest.indexOf(':');
    String algorithm = digest.substring(0, colon);
    String encoded = digest.substring(colon + 1);
    if (!algorithm.equals(algorithm.toLowerCase(Locale.ROOT))) {
      return false;
    }
    Integer length = REGISTERED_DIGEST_LENGTHS.get(algorithm);
    return length == null
        || encoded.length() == length && encoded.equals(encoded.toLowerCase(Locale.ROOT));
  }

  private void noParameters(String rawQuery, String what) {
    List<QueryStrings.Term> terms = terms(rawQuery);
    if (!terms.isEmpty()) {
      throw new InvalidQueryException(
          terms.get(0).key(),
          "unknown parameter '" + terms.get(0).key() + "'; " + what + " takes no parameters");
    }
  }

  private List<QueryStrings.Term> terms(String rawQuery) {
    return QueryStrings.parse(rawQuery, maxTerms, maxQueryBytes);
  }

  private static String word(String key, String value) {
    if (value.isEmpty()) {
      throw new InvalidQueryException(key, "parameter '" + key + "' has an empty value");
    }
    if (value.length() > MAX_TEXT) {
      throw new InvalidQueryException(
          key, "parameter '" + key + "' is longer than " + MAX_TEXT + " characters");
    }
    return value;
  }

  private static String abbreviated(String text) {
    if (text == null) {
      return "";
    }
    return text.length() > 80 ? text.substring(0, 80) + "…" : text;
  }

  private static InvalidQueryException unknown(String key, String known) {
    return new InvalidQueryException(
        key, "unknown parameter '" + key + "'; this endpoint takes " + known);
  }

  private static InvalidQueryException repeated(String key) {
    return new InvalidQueryException(key, "parameter '" + key + "' is given more than once");
  }

  /** {@code limit} and {@code cursor}, shared by the paged endpoints. */
  private static final class PageBuilder {
    private final Set<String> seen = new HashSet<>();
    private int limit = ApiPage.DEFAULT_LIMIT;
    private String after;

    boolean accept(QueryStrings.Term term) {
      switch (term.key()) {
        case "limit" ->
            limit = QueryStrings.wholeNumber(term.key(), term.value(), 1, ApiPage.MAX_LIMIT);
        case Cursor.PARAMETER -> after = Cursor.decode(term.value());
        default -> {
          return false;
        }
      }
      if (!seen.add(term.key())) {
        throw repeated(term.key());
      }
      return true;
    }

    ApiPage build() {
      return new ApiPage(limit, after);
    }
  }
}
