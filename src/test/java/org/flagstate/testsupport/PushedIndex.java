package org.flagstate.testsupport;

import java.util.List;

/**
 * What {@link RegistryPusher#pushIndex} stored: the index digest and the members it lists, in
 * order.
 *
 * @param tag null when pushed by digest only
 */
public record PushedIndex(
    String repository,
    String tag,
    String digest,
    String mediaType,
    long size,
    List<IndexMember> members) {

  public PushedIndex {
    members = List.copyOf(members);
  }
}
