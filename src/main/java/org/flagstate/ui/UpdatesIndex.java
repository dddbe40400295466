package org.flagstate.ui;

/**
 * The two index URLs the updates page may fetch. They are fixed, the same for every visitor
 * whatever was pasted (so a cache or log learns nothing from them): every Flatpak image, and every
 * image.
 */
final class UpdatesIndex {

  /** Every Flatpak image of every tag and architecture. */
  static final String FLATPAK = "/index/static?label%3Aorg.flatpak.ref%3Aexists=1";

  /**
   * Every image of every tag (for {@code name:tag@digest} and {@code podman images --digests}
   * lines).
   */
  static final String ALL = "/index/static";

  private UpdatesIndex() {}
}
