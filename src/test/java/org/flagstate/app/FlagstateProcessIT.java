package org.flagstate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.flagstate.testsupport.FlagstateProcess;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;
import org.junit.jupiter.api.Test;

/**
 * The shipped jar as a user runs it: configuration errors, clean SIGTERM, an index that survives
 * restarts.
 */
class FlagstateProcessIT {

  @Test
  void anUnknownEnvironmentVariableStopsStartUpNamingIt() {
    try (FlagstateProcess flagstate =
        FlagstateProcess.start(Map.of("FLAGSTATE_REGISTRY_URLL", "http://x"))) {
      assertThat(flagstate.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(flagstate.log()).contains("FLAGSTATE_REGISTRY_URLL");
    }
  }

  @Test
  void anIllTypedValueStopsStartUpNamingTheKey() {
    try (FlagstateProcess flagstate =
        FlagstateProcess.start(Map.of("FLAGSTATE_CRAWL_INTERVAL", "soon"))) {
      assertThat(flagstate.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(flagstate.log()).contains("FLAGSTATE_CRAWL_INTERVAL").contains("duration");
    }
  }

  @Test
  void anUnknownKeyInTheConfigFileStopsStartUpNamingIt() throws IOException {
    Path file = Files.createTempFile("flagstate-", ".yaml");
    Files.writeString(file, "http:\n  prot: 8080\n");
    try (FlagstateProcess flagstate =
        FlagstateProcess.start(Map.of(), "--config", file.toString())) {
      assertThat(flagstate.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(flagstate.log()).contains("http.prot");
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void sigtermStopsTheEmbeddedDatabaseAndARestartServesTheStoredIndexWithoutTheRegistry()
      throws IOException {
    Path dataDir = Files.createTempDirectory("flagstate-data-").resolve("pg");
    try (RegistryProcess registry = RegistryProcess.builder().start()) {
      RegistryPusher.forRegistry(registry)
          .pushImage(
              "kept/app",
              "latest",
              ImageSpec.oci().withLabel("org.flatpak.ref", "app/org.test.Kept/x86_64/master"));
      Map<String, String> env =
          Map.of(
              "FLAGSTATE_REGISTRY_URL",
              registry.baseUrl(),
              "FLAGSTATE_DATABASE_DATA_DIR",
              dataDir.toString());
      try (FlagstateProcess first = FlagstateProcess.start(env)) {
        first.awaitSyncs(1, Duration.ofSeconds(120));
        assertThat(first.get("/index/static").body()).contains("kept/app");
        first.terminate();
        assertThat(first.awaitExit(Duration.ofSeconds(60)))
            .as("128 + SIGTERM, after the shutdown hook ran")
            .isEqualTo(143);
        assertThat(first.log()).contains("Embedded PostgreSQL stopped");
      }
      assertThat(postgresProcessesUsing(dataDir)).as("postgres processes left running").isZero();
      registry.stop();
      try (FlagstateProcess second = FlagstateProcess.start(env)) {
        second.awaitListening(Duration.ofSeconds(120));
        assertThat(second.get("/index/static").body()).contains("kept/app");
        second.awaitBodyContaining("/status", "waiting for registry", Duration.ofSeconds(60));
        second.terminate();
        assertThat(second.awaitExit(Duration.ofSeconds(60))).isEqualTo(143);
        assertThat(second.log()).contains("Embedded PostgreSQL stopped");
      }
    }
  }

  private static long postgresProcessesUsing(Path dataDir) {
    return ProcessHandle.allProcesses()
        .filter(
            p ->
                p.info()
                    .commandLine()
                    .map(c -> c.contains("postgres") && c.contains(dataDir.toString()))
                    .orElse(false))
        .count();
  }
}
