package org.flagstate.testsupport;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a test wants in a pushed single-platform image: the fields an index reads from the config
 * and the manifest. Equal specs produce byte-identical blobs and manifests, hence equal digests;
 * change the {@code seed} to get a different layer and so a different image with otherwise equal
 * metadata.
 *
 * @param variant nullable, e.g. {@code v8} for arm64
 * @param created nullable RFC 3339 timestamp, written verbatim into the config
 * @param labels config labels; values may be non-strings (numbers, booleans) to test lenient
 *     readers
 * @param annotations manifest annotations; only allowed for {@link ImageFormat#OCI}
 */
public record ImageSpec(
    ImageFormat format,
    String os,
    String architecture,
    String variant,
    String created,
    Map<String, Object> labels,
    Map<String, String> annotations,
    String seed) {

  public ImageSpec {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(seed, "seed");
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels == null ? Map.of() : labels));
    annotations =
        Collections.unmodifiableMap(
            new LinkedHashMap<>(annotations == null ? Map.of() : annotations));
    if (format != ImageFormat.OCI && !annotations.isEmpty()) {
      throw new IllegalArgumentException(
          "manifest annotations exist only in OCI manifests, not " + format);
    }
  }

  /** linux/amd64 OCI image without labels. */
  public static ImageSpec oci() {
    return new ImageSpec(
        ImageFormat.OCI, "linux", "amd64", null, null, Map.of(), Map.of(), "layer");
  }

  /** linux/amd64 Docker schema2 image without labels. */
  public static ImageSpec dockerSchema2() {
    return oci().withFormat(ImageFormat.DOCKER_SCHEMA2);
  }

  public ImageSpec withFormat(ImageFormat value) {
    return new ImageSpec(value, os, architecture, variant, created, labels, annotations, seed);
  }

  public ImageSpec withOs(String value) {
    return new ImageSpec(format, value, architecture, variant, created, labels, annotations, seed);
  }

  public ImageSpec withArchitecture(String value) {
    return new ImageSpec(format, os, value, variant, created, labels, annotations, seed);
  }

  public ImageSpec withVariant(String value) {
    return new ImageSpec(format, os, architecture, value, created, labels, annotations, seed);
  }

  public ImageSpec withPlatform(String newOs, String newArchitecture, String newVariant) {
    return new ImageSpec(
        format, newOs, newArchitecture, newVariant, created, labels, annotations, seed);
  }

  public ImageSpec withCreated(String value) {
    return new ImageSpec(format, os, architecture, variant, value, labels, annotations, seed);
  }

  public ImageSpec withLabel(String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(labels);
    copy.put(key, value);
    return new ImageSpec(format, os, architecture, variant, created, copy, annotations, seed);
  }

  public ImageSpec withLabels(Map<String, Object> value) {
    return new ImageSpec(format, os, architecture, variant, created, value, annotations, seed);
  }

  public ImageSpec withAnnotation(String key, String value) {
    Map<String, String> copy = new LinkedHashMap<>(annotations);
    copy.put(key, value);
    return new ImageSpec(format, os, architecture, variant, created, labels, copy, seed);
  }

  public ImageSpec withAnnotations(Map<String, String> value) {
    return new ImageSpec(format, os, architecture, variant, created, labels, value, seed);
  }

  public ImageSpec withSeed(String value) {
    return new ImageSpec(format, os, architecture, variant, created, labels, annotations, value);
  }
}
