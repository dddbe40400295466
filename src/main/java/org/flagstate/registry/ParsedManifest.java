package org.flagstate.registry;

import java.util.List;
import java.util.Map;

/** What a manifest turned out to be: an image, a list of images, or something the index skips. */
public sealed interface ParsedManifest {

  String digest();

  /**
   * A Docker schema2 or OCI image manifest; its labels, os and architecture are in the config blob.
   * {@code configSize} and {@code layersSize} (the sum over all layers) are as the manifest
   * declares them, null when it does not say.
   */
  record Image(
      String digest,
      String mediaType,
      long size,
      String configDigest,
      Map<String, String> annotations,
      Long configSize,
      Long layersSize)
      implements ParsedManifest {
    public Image {
      annotations = Map.copyOf(annotations);
    }
  }

  /** A Docker manifest list or OCI index, with its members in manifest order. */
  record ImageList(
      String digest,
      String mediaType,
      long size,
      List<Member> members,
      Map<String, String> annotations)
      implements ParsedManifest {
    public ImageList {
      members = List.copyOf(members);
      annotations = Map.copyOf(annotations);
    }
  }

  /** One entry of a list: the member's digest and the platform the list claims for it. */
  record Member(String digest, String mediaType, String os, String architecture, String variant) {}

  /** Anything else (schema1, artifacts, unknown types); {@code reason} says what, for the log. */
  record Unsupported(String digest, String reason) implements ParsedManifest {}
}
