package org.flagstate.registry;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * docker/distribution's grammar for repository names, tags and digests ({@code
 * reference/regexp.go}). It exists so that the registry front passes only well-formed names and
 * references upstream, and the tag listing refuses names no registry can hold before they reach a
 * query: the grammar admits no {@code ..}, no empty segment, no upper case and no character that
 * would change the meaning of the upstream path, so a checked value can be put into the upstream
 * URL as it is.
 */
public final class ReferenceGrammar {

  /** distribution's limit on the whole repository name. */
  public static final int MAX_NAME_LENGTH = 255;

  private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
  private static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern DIGEST =
      Pattern.compile("[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}");

  /** The algorithms a registry resolves (go-digest's) and their number of hex digits. */
  private static final Map<String, Integer> REGISTERED_DIGEST_LENGTHS =
      Map.of("sha256", 64, "sha384", 96, "sha512", 128);

  private static final Pattern LOWER_HEX = Pattern.compile("[0-9a-f]+");

  private ReferenceGrammar() {}

  public static boolean isName(String name) {
    return name.length() <= MAX_NAME_LENGTH && NAME.matcher(name).matches();
  }

  public static boolean isTag(String reference) {
    return TAG.matcher(reference).matches();
  }

  public static boolean isDigest(String reference) {
    return reference.length() <= 256 && DIGEST.matcher(reference).matches();
  }

  /**
   * A digest a registry can resolve: a registered algorithm with exactly its number of lower-case
   * hex digits. The grammar of {@link #isDigest} admits more (any algorithm, upper case, any length
   * of 32 or more), which docker/distribution 2.8 answers with a 500 for a manifest and a
   * plain-text 404 for an upper-case algorithm, so the registry front passes on only these.
   */
  public static boolean isCanonicalDigest(String reference) {
    int colon = reference.indexOf(':');
    if (colon < 0) {
      return false;
    }
    Integer length = REGISTERED_DIGEST_LENGTHS.get(reference.substring(0, colon));
    String hex = reference.substring(colon + 1);
    return length != null && hex.length() == length && LOWER_HEX.matcher(hex).matches();
  }
}
