package org.flagstate.testsupport;

/**
 * A manifest the registry accepted under a reference, for pushes that carry no further detail
 * (artifacts, re-tags).
 *
 * @param tag null when pushed by digest only
 */
public record PushedManifest(
    String repository, String tag, String digest, String mediaType, long size) {}
