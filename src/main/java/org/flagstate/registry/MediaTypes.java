package org.flagstate.registry;

import java.util.Set;

/**
 * The manifest and config media types Flagstate understands, and the Accept list that asks for
 * them.
 */
public final class MediaTypes {

  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

  /**
   * Sent on every manifest request: without it distribution answers 404 for OCI content and
   * silently converts Docker lists to schema1.
   */
  public static final String MANIFEST_ACCEPT =
      String.join(", ", OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST);

  private static final Set<String> IMAGES = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
  private static final Set<String> LISTS = Set.of(OCI_INDEX, DOCKER_LIST);
  private static final Set<String> IMAGE_CONFIGS = Set.of(OCI_CONFIG, DOCKER_CONFIG);

  private MediaTypes() {}

  public static boolean isImage(String mediaType) {
    return IMAGES.contains(mediaType);
  }

  public static boolean isList(String mediaType) {
    return LISTS.contains(mediaType);
  }

  public static boolean isImageConfig(String mediaType) {
    return IMAGE_CONFIGS.contains(mediaType);
  }

  /** {@code application/json; charset=utf-8} → {@code application/json}. */
  public static String withoutParameters(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
  }
}
