package org.flagstate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real {@code flatpak} command line, isolated in its own HOME, always {@code --user}. Commands
 * that need a D-Bus session run under {@code dbus-run-session}; helpers they leave behind are
 * killed on close.
 */
public final class FlatpakClient implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final Path home;

  public FlatpakClient() {
    try {
      home = Files.createTempDirectory("flagstate-flatpak-home-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path home() {
    return home;
  }

  public Commands.Result run(String... arguments) {
    List<String> command = new ArrayList<>(List.of("flatpak"));
    command.addAll(List.of(arguments));
    return Commands.run(command, environment(), TIMEOUT);
  }

  /** Runs flatpak inside a private D-Bus session (install and update need one). */
  public Commands.Result runWithDbus(String... arguments) {
    List<String> command = new ArrayList<>(List.of("dbus-run-session", "--", "flatpak"));
    command.addAll(List.of(arguments));
    return Commands.run(command, environment(), TIMEOUT);
  }

  private Map<String, String> environment() {
    return Map.of(
        "HOME",
        home.toString(),
        "XDG_DATA_HOME",
        home.resolve(".local/share").toString(),
        "XDG_CACHE_HOME",
        home.resolve(".cache").toString(),
        "XDG_CONFIG_HOME",
        home.resolve(".config").toString());
  }

  @Override
  public void close() {
    ProcessHandle.allProcesses()
        .filter(process -> process.info().command().map(c -> c.contains("flatpak")).orElse(false))
        .filter(this::runsInOurHome)
        .forEach(ProcessHandle::destroyForcibly);
    Commands.run(List.of("rm", "-rf", home.toString()), Map.of(), Duration.ofSeconds(30));
  }

  private boolean runsInOurHome(ProcessHandle process) {
    try {
      byte[] environ =
          Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "environ"));
      return new String(environ).contains("HOME=" + home);
    } catch (IOException | SecurityException e) {
      return false;
    }
  }
}
