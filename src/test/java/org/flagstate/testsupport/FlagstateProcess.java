package org.flagstate.testsupport;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Flagstate as users run it: the shaded jar in its own JVM, configured by environment variables, so
 * tests can send it SIGTERM or SIGKILL and read what it logs.
 */
public final class FlagstateProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Process process;
  private final Path log;
  private final int port;

  private FlagstateProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /**
   * Starts {@code target/flagstate.jar} with FLAGSTATE_* variables made from {@code settings} keys.
   */
  public static FlagstateProcess start(Map<String, String> environment, String... arguments) {
    Path jar = Path.of("target/flagstate.jar").toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          jar + " is missing: integration tests run after `mvn package`");
    }
    int port = FlagstateInstance.freePort();
    try {
      Path log = Files.createTempFile("flagstate-process-", ".log");
      List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", jar.toString()));
      command.addAll(List.of(arguments));
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().keySet().removeIf(name -> name.startsWith("FLAGSTATE_"));
      builder.environment().put("FLAGSTATE_HTTP_HOST", "127.0.0.1");
      builder.environment().put("FLAGSTATE_HTTP_PORT", Integer.toString(port));
      builder
          .environment()
          .put("FLAGSTATE_WEBHOOK_PORT", Integer.toString(FlagstateInstance.freePort()));
      builder.environment().putAll(environment);
      return new FlagstateProcess(builder.start(), log, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the process to exit by itself; returns its exit code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("Flagstate did not exit within " + timeout + "; log:\n" + log());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits until GET /status answers and {@code crawler.syncsCompleted} reaches {@code syncs}. */
  public JsonObject awaitSyncs(int syncs, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "Flagstate exited with " + process.exitValue() + "; log:\n" + log());
      }
      try {
        JsonObject status = new JsonObject(get("/status").body());
        if (status.getJsonObject("crawler").getInteger("syncsCompleted", 0) >= syncs) {
          return status;
        }
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      FlagstateInstance.sleep(100);
    }
    throw new AssertionError("no completed sync within " + timeout + "; log:\n" + log());
  }

  /** Waits until the HTTP listener answers /health. */
  public void awaitListening(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "Flagstate exited with " + process.exitValue() + "; log:\n" + log());
      }
      try {
        if (get("/health").statusCode() == 200) {
          return;
        }
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      FlagstateInstance.sleep(100);
    }
    throw new AssertionError("Flagstate did not listen within " + timeout + "; log:\n" + log());
  }

  /** Polls GET {@code path} until its body contains {@code text}. */
  public String awaitBodyContaining(String path, String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String body = null;
    while (System.nanoTime() < deadline) {
      body = get(path).body();
      if (body.contains(text)) {
        return body;
      }
      FlagstateInstance.sleep(100);
    }
    throw new AssertionError(
        path + " did not contain '" + text + "' within " + timeout + "; last body:\n" + body);
  }

  public HttpResponse<String> get(String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(baseUrl() + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGTERM, as Ctrl-C or a service manager would send. */
  public void terminate() {
    process.destroy();
  }

  /** SIGKILL: no shutdown hook runs. */
  public void kill() {
    process.destroyForcibly();
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
      Files.deleteIfExists(log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException ignored) {
      // a temp file left behind is harmless
    }
  }
}
