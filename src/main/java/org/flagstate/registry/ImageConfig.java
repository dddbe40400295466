package org.flagstate.registry;

import java.util.List;
import java.util.Map;

/**
 * The parts of an image's config blob the index keeps. {@code ignoredLabels} names labels whose
 * value was not a string: Flatpak rejects a whole remote over one such value, so they are left out.
 */
public record ImageConfig(
    String os,
    String architecture,
    String variant,
    String created,
    Map<String, String> labels,
    List<String> ignoredLabels) {

  public ImageConfig {
    labels = Map.copyOf(labels);
    ignoredLabels = List.copyOf(ignoredLabels);
  }
}
