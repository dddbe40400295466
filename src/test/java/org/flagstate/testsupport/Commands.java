package org.flagstate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external program (flatpak, skopeo, a script) to completion with its output in a file. */
public final class Commands {

  /** Exit code and combined output of a finished command. */
  public record Result(int exitCode, String output) {
    public Result requireSuccess(List<String> command) {
      if (exitCode != 0) {
        throw new AssertionError(
            String.join(" ", command) + " exited " + exitCode + ":\n" + output);
      }
      return this;
    }
  }

  private Commands() {}

  public static Result run(
      List<String> command, Map<String, String> environment, Duration timeout) {
    try {
      Path output = Files.createTempFile("flagstate-command-", ".log");
      try {
        // a file, not a pipe: D-Bus helpers started by flatpak keep inherited pipes open after it
        // exits
        ProcessBuilder builder =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new AssertionError(
              String.join(" ", command)
                  + " did not finish in "
                  + timeout
                  + ":\n"
                  + Files.readString(output));
        }
        return new Result(process.exitValue(), Files.readString(output));
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static Result runOrFail(
      List<String> command, Map<String, String> environment, Duration timeout) {
    return run(command, environment, timeout).requireSuccess(command);
  }
}
