package org.flagstate.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cleans up after an abrupt end (kill -9, the OOM killer, a crashed JVM) of a Flagstate that ran an
 * embedded PostgreSQL: its postmaster outlives it and keeps the data directory, and the next start
 * would fail. The server is stopped only when it is provably that data directory's own ({@code
 * postmaster.pid} names the directory and a live postgres process) and no live Flagstate holds the
 * directory (the embedded server's {@code epg-lock} file lock dies with the JVM that held it). A
 * {@link #watch watchdog} also stops the server within a second of its Flagstate dying, so usually
 * nothing is left to clean.
 */
final class OrphanedPostgres {

  private static final Logger LOG = LoggerFactory.getLogger(OrphanedPostgres.class);

  /** The file lock zonky's EmbeddedPostgres holds while a JVM uses the data directory. */
  static final String LOCK_FILE = "epg-lock";

  private static final Duration STOP_WAIT = Duration.ofSeconds(30);

  private OrphanedPostgres() {}

  /** What {@code postmaster.pid} says: the postmaster's process id and its data directory. */
  record PidFile(long pid, Path dataDir) {

    static Optional<PidFile> read(Path dataDir) {
      try {
        List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
        if (lines.size() < 2 || !lines.get(0).strip().matches("\\d{1,10}")) {
          return Optional.empty();
        }
        return Optional.of(
            new PidFile(Long.parseLong(lines.get(0).strip()), Path.of(lines.get(1).strip())));
      } catch (NoSuchFileException e) {
        return Optional.empty();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Stops the postmaster an earlier Flagstate left running on {@code dataDir}, if there is one and
   * it is provably orphaned; returns whether it stopped one.
   *
   * @throws IllegalStateException when a live Flagstate holds the directory
   */
  static boolean stopIfOrphaned(Path dataDir) throws IOException {
    Optional<PidFile> pidFile = PidFile.read(dataDir);
    if (pidFile.isEmpty()) {
      return false;
    }
    Optional<ProcessHandle> postmaster =
        ProcessHandle.of(pidFile.get().pid())
            .filter(ProcessHandle::isAlive)
            .filter(
                process ->
                    process
                        .info()
                        .command()
                        .map(command -> command.endsWith("postgres"))
                        .orElse(false));
    if (postmaster.isEmpty() || !sameDirectory(pidFile.get().dataDir(), dataDir)) {
      return false;
    }
    if (!Files.exists(dataDir.resolve(LOCK_FILE)) || !unlocked(dataDir.resolve(LOCK_FILE))) {
      throw new IllegalStateException(
          "another running Flagstate uses the embedded PostgreSQL in "
              + dataDir
              + " (postmaster "
              + pidFile.get().pid()
              + ")");
    }
    LOG.warn(
        "An embedded PostgreSQL (pid {}) was left running on {} by a Flagstate that ended abruptly; "
            + "stopping it before starting again",
        pidFile.get().pid(),
        dataDir);
    stop(postmaster.get());
    return true;
  }

  private static boolean sameDirectory(Path named, Path dataDir) throws IOException {
    return Files.exists(named) && Files.isSameFile(named, dataDir);
  }

  /** True when no process holds the lock file: its holder is dead. */
  private static boolean unlocked(Path lockFile) throws IOException {
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock()) {
      return lock != null;
    }
  }

  /**
   * A fast shutdown (SIGINT: abort transactions, then a clean checkpoint), then SIGKILL if it
   * hangs.
   */
  private static void stop(ProcessHandle postmaster) {
    signal("INT", postmaster.pid());
    Instant deadline = Instant.now().plus(STOP_WAIT);
    while (postmaster.isAlive() && Instant.now().isBefore(deadline)) {
      sleep(Duration.ofMillis(100));
    }
    if (postmaster.isAlive()) {
      LOG.warn(
          "Embedded PostgreSQL (pid {}) did not stop in {} s; killing it",
          postmaster.pid(),
          STOP_WAIT.toSeconds());
      postmaster.destroyForcibly();
    }
  }

  /**
   * Starts a small shell process that outlives this JVM if it is killed, and then stops the
   * postmaster with a fast shutdown: the embedded PostgreSQL ends with its Flagstate. A clean stop
   * kills the watchdog first.
   */
  static Process watch(long postmasterPid) throws IOException {
    long self = ProcessHandle.current().pid();
    String script =
        "while kill -0 "
            + self
            + " 2>/dev/null; do sleep 1; done; kill -INT "
            + postmasterPid
            + " 2>/dev/null";
    return new ProcessBuilder("/bin/sh", "-c", script)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  private static void signal(String signal, long pid) {
    try {
      new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
