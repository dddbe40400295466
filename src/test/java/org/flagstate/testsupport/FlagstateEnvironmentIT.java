package org.flagstate.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What {@link FlagstateEnvironment} promises beyond the path every other IT takes: a failed start
 * leaves nothing.
 */
class FlagstateEnvironmentIT {

  final List<String> stopped = new ArrayList<>();
  final AtomicReference<RegistryProcess> registry = new AtomicReference<>();
  final AtomicReference<String> database = new AtomicReference<>();

  /**
   * Notes what the environment started and registers two resources that note when they are closed.
   */
  void notePartsAndRegister(FlagstateEnvironment environment) {
    registry.set(environment.registry());
    database.set(environment.databaseUrl());
    environment.closeAfterFlagstate(() -> stopped.add("first registered"));
    environment.closeAfterFlagstate(() -> stopped.add("second registered"));
  }

  void assertNothingLeft() {
    assertThat(stopped)
        .as("closed, the last registered first")
        .containsExactly("second registered", "first registered");
    assertThat(registry.get().isRunning()).as("registry running").isFalse();
    assertThat(Files.exists(registry.get().storageDir())).as("registry storage left").isFalse();
    assertThatThrownBy(() -> TestDatabase.connect(database.get()).close())
        .as("database left")
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void aSeedThatFailsStopsWhatWasStartedBeforeIt() {
    FlagstateEnvironment environment =
        FlagstateEnvironment.builder()
            .seed(
                (test, started) -> {
                  notePartsAndRegister(started);
                  throw new IOException("the seed failed");
                })
            .build();
    assertThatThrownBy(environment::start).hasRootCauseMessage("the seed failed");
    assertNothingLeft();
    environment.close();
    assertThat(stopped).as("a second close has nothing left to do").hasSize(2);
  }

  @Test
  void aFlagstateThatCannotStartLeavesNothingRunning() {
    FlagstateEnvironment environment =
        FlagstateEnvironment.builder()
            .seed((test, started) -> notePartsAndRegister(started))
            .setting("crawl.interval", "soon")
            .build();
    assertThatThrownBy(environment::start).hasMessageContaining("crawl.interval");
    assertNothingLeft();
  }
}
