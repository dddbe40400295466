package org.flagstate.testsupport;

/**
 * The two single-platform manifest formats a registry serves, with the media types each one uses
 * for its parts.
 */
public enum ImageFormat {
  OCI(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG, MediaTypes.OCI_LAYER_GZIP),
  DOCKER_SCHEMA2(
      MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_CONFIG, MediaTypes.DOCKER_LAYER_GZIP);

  private final String mediaType;
  private final String configMediaType;
  private final String layerMediaType;

  ImageFormat(String mediaType, String configMediaType, String layerMediaType) {
    this.mediaType = mediaType;
    this.configMediaType = configMediaType;
    this.layerMediaType = layerMediaType;
  }

  public String mediaType() {
    return mediaType;
  }

  public String configMediaType() {
    return configMediaType;
  }

  public String layerMediaType() {
    return layerMediaType;
  }
}
