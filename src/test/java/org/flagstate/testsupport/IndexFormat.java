package org.flagstate.testsupport;

/** The two multi-platform manifest formats: an OCI image index or a Docker manifest list. */
public enum IndexFormat {
  OCI_INDEX(MediaTypes.OCI_INDEX),
  DOCKER_MANIFEST_LIST(MediaTypes.DOCKER_MANIFEST_LIST);

  private final String mediaType;

  IndexFormat(String mediaType) {
    this.mediaType = mediaType;
  }

  public String mediaType() {
    return mediaType;
  }
}
