package org.flagstate.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Real Flatpak OCI bundles (a runtime and the app org.test.Hello), built offline by {@code
 * fixtures/flatpak/build-bundles.sh} and pushed to a registry with skopeo.
 */
public final class FlatpakFixtures {

  /** One built bundle: its OCI layout, the reference name inside it and its manifest digest. */
  public record Bundle(String kind, Path layout, String reference, String digest) {}

  private FlatpakFixtures() {}

  /** Builds both bundles with the given app version; returns runtime then app. */
  public static List<Bundle> build(Path outDir, String version) {
    Path script = Path.of("src/test/resources/fixtures/flatpak/build-bundles.sh").toAbsolutePath();
    String output =
        Commands.runOrFail(
                List.of("bash", script.toString(), outDir.toString(), version),
                Map.of(),
                Duration.ofMinutes(2))
            .output();
    return output
        .lines()
        .filter(line -> line.split("\t").length == 4)
        .map(
            line -> {
              String[] fields = line.split("\t");
              return new Bundle(fields[0], Path.of(fields[1]), fields[2], fields[3]);
            })
        .toList();
  }

  /**
   * Pushes a bundle to {@code registry} as {@code repository:tag} through the Registry API
   * (skopeo).
   */
  public static void push(Bundle bundle, RegistryProcess registry, String repository, String tag) {
    Commands.runOrFail(
        List.of(
            "skopeo",
            "copy",
            "--quiet",
            "--dest-tls-verify=false",
            "oci:" + bundle.layout() + ":" + bundle.reference(),
            "docker://" + registry.hostPort() + "/" + repository + ":" + tag),
        Map.of(),
        Duration.ofMinutes(1));
  }
}
