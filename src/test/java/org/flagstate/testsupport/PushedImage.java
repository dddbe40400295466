package org.flagstate.testsupport;

/**
 * What {@link RegistryPusher#pushImage} stored, so tests can assert on the digests an index must
 * report.
 *
 * @param tag null when pushed by digest only
 */
public record PushedImage(
    String repository,
    String tag,
    String digest,
    String mediaType,
    long size,
    String configDigest,
    String layerDigest,
    ImageSpec spec) {

  public IndexMember asMember() {
    return IndexMember.of(this);
  }
}
