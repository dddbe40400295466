package org.flagstate.registry;

import java.util.regex.Pattern;

/**
 * docker/distribution's grammar for repository names, tags and digests ({@code reference/regexp.go}).
 * It exists so that the registry front passes only well-formed names and references upstream, and the
 * tag listing refuses names no registry can hold before they reach a query: the grammar admits no {@code ..}, no empty segment, no upper case and no character that would change the
 * meaning of the upstream path, so a checked value can be put into the upstream URL as it is.
 */
public final class ReferenceGrammar {

  /** distribution's limit on the whole repository name. */
  public static final int MAX_NAME_LENGTH = 255;

  private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
  private static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern DIGEST =
      Pattern.compile("[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}");

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
}
