package org.flagstate.testsupport;

import java.util.List;

/**
 * The media types a registry index has to tell apart, named once so tests and fixtures agree on the
 * spelling.
 */
public final class MediaTypes {
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String DOCKER_LAYER_GZIP =
      "application/vnd.docker.image.rootfs.diff.tar.gzip";

  public static final String EXAMPLE_ARTIFACT = "application/vnd.example.sbom";
  public static final String EXAMPLE_ARTIFACT_CONFIG = "application/vnd.example.config+json";
  public static final String EXAMPLE_ARTIFACT_LAYER = "application/vnd.example.sbom.v1+json";

  /**
   * Without all four, distribution answers 404 for OCI content and converts Docker lists to
   * schema1.
   */
  public static final List<String> MANIFEST_ACCEPT_LIST =
      List.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST);

  public static final String MANIFEST_ACCEPT = String.join(", ", MANIFEST_ACCEPT_LIST);

  private MediaTypes() {}
}
