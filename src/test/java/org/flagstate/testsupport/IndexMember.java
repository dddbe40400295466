package org.flagstate.testsupport;

import java.util.Objects;

/**
 * One entry of an image index or manifest list: an already pushed manifest and the platform it is
 * listed under.
 *
 * @param variant nullable
 */
public record IndexMember(
    String digest, String mediaType, long size, String os, String architecture, String variant) {

  public IndexMember {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(architecture, "architecture");
  }

  /** Lists {@code image} under the platform its spec declares. */
  public static IndexMember of(PushedImage image) {
    ImageSpec spec = image.spec();
    return new IndexMember(
        image.digest(),
        image.mediaType(),
        image.size(),
        spec.os(),
        spec.architecture(),
        spec.variant());
  }
}
