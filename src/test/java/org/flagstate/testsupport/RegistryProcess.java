package org.flagstate.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real docker/distribution registry ({@code /usr/bin/docker-registry serve}) on a free loopback
 * port with its own temporary storage. Integration tests use it instead of a fake because Flagstate
 * depends on the registry's exact behaviour: its API answers, its notification envelopes and
 * retries, and the loss of its in-memory event queue when it restarts ({@link #stop()} then {@link
 * #start()} keeps storage and port but drops pending events).
 */
public final class RegistryProcess implements AutoCloseable {

  public static final Path BINARY = Path.of("/usr/bin/docker-registry");

  /**
   * The only password {@link Builder#basicAuth} supports; its bcrypt hash is precomputed so no
   * htpasswd tool is needed.
   */
  public static final String TEST_PASSWORD = "flagstate-test";

  public static final String TEST_PASSWORD_BCRYPT =
      "$2b$04$mlyHHZ1zXT3pahMEa3XNb.yOH.LoElIUSywsudfGcC3/ol024bo8y";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** User and password for a registry started with {@link Builder#basicAuth}. */
  public record Credentials(String user, String password) {
    public String authorizationHeader() {
      String pair = user + ":" + password;
      return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
  }

  private record TokenAuth(String realm, String service, String issuer, Path rootCertBundle) {}

  private final Path dir;
  private final Path logFile;
  private final Path configFile;
  private final Builder options;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private int port;
  private Process process;
  private Thread shutdownHook;
  private Duration lastStartup = Duration.ZERO;

  private RegistryProcess(Builder options) throws IOException {
    this.options = options;
    this.dir = Files.createTempDirectory("flagstate-registry-");
    this.logFile = dir.resolve("registry.log");
    this.configFile = dir.resolve("config.yml");
    Files.createDirectories(storageDir());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options fixed for the life of the registry, restarts included. */
  public static final class Builder {
    private String notificationUrl;
    private String notificationToken;
    private int catalogMaxEntries = 1000;
    private String basicAuthUser;
    private TokenAuth tokenAuth;

    private Builder() {}

    /**
     * Sends events to {@code url}; {@code bearerToken} (nullable) becomes an {@code Authorization:
     * Bearer} header.
     */
    public Builder notifications(String url, String bearerToken) {
      this.notificationUrl = url;
      this.notificationToken = bearerToken;
      return this;
    }

    public Builder catalogMaxEntries(int maxEntries) {
      this.catalogMaxEntries = maxEntries;
      return this;
    }

    /** Requires HTTP Basic auth as {@code user} / {@link #TEST_PASSWORD} on every request. */
    public Builder basicAuth(String user) {
      this.basicAuthUser = user;
      return this;
    }

    /**
     * Requires a Bearer token on every request, as distribution's {@code auth.token} does it:
     * clients without one get a 401 pointing them at {@code realmUrl}; tokens must be JWTs from
     * {@code issuer} for audience {@code service}, signed by a key whose certificate chains to
     * {@code rootCertBundle} (PEM).
     */
    public Builder tokenAuth(String realmUrl, String service, String issuer, Path rootCertBundle) {
      this.tokenAuth = new TokenAuth(realmUrl, service, issuer, rootCertBundle);
      return this;
    }

    /** Creates the storage, starts the registry and waits until {@code GET /v2/} answers. */
    public RegistryProcess start() {
      requireBinary();
      try {
        RegistryProcess registry = new RegistryProcess(this);
        try {
          registry.startOnFreePort();
        } catch (RuntimeException e) {
          registry.close();
          throw e;
        }
        return registry;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void requireBinary() {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          BINARY + " is missing: run scripts/test, which installs docker-registry");
    }
  }

  private void startOnFreePort() {
    for (int attempt = 1; ; attempt++) {
      port = freePort();
      try {
        start();
        return;
      } catch (IllegalStateException e) {
        boolean portTaken = logTail(20).contains("address already in use");
        if (!portTaken || attempt == 3) {
          throw e;
        }
      }
    }
  }

  /**
   * Starts the registry again after {@link #stop()}, on the same port and storage; its event queue
   * starts empty.
   */
  public synchronized RegistryProcess start() {
    if (isRunning()) {
      throw new IllegalStateException("registry already running at " + baseUrl());
    }
    requireBinary();
    long began = System.nanoTime();
    try {
      writeConfig();
      ProcessBuilder command =
          new ProcessBuilder(BINARY.toString(), "serve", configFile.toString())
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      command.environment().keySet().removeIf(name -> name.startsWith("REGISTRY_"));
      process = command.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + BINARY, e);
    }
    Process started = process;
    shutdownHook = new Thread(started::destroyForcibly, "registry-" + port + "-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    awaitReady();
    lastStartup = Duration.ofNanos(System.nanoTime() - began);
    return this;
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create(baseUrl() + "/v2/"))
            .timeout(Duration.ofSeconds(1))
            .build();
    while (true) {
      if (!process.isAlive()) {
        int exit = process.exitValue();
        stop();
        throw new IllegalStateException(
            "docker-registry exited with "
                + exit
                + " during startup; log "
                + logFile
                + ":\n"
                + logTail(30));
      }
      try {
        http.send(probe, HttpResponse.BodyHandlers.discarding());
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          stop();
          throw new IllegalStateException(
              "docker-registry did not answer GET /v2/ within "
                  + STARTUP_TIMEOUT
                  + "; log "
                  + logFile
                  + ":\n"
                  + logTail(30));
        }
        sleep(Duration.ofMillis(20));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the registry", e);
      }
    }
  }

  /** SIGTERM, then waits for the process to exit (SIGKILL after 10 s). Storage is kept. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException jvmShuttingDown) {
      // the hook is running or about to; nothing to undo
    }
    process = null;
    shutdownHook = null;
  }

  /** Stops the registry and deletes its storage, config and log. */
  @Override
  public synchronized void close() {
    stop();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /** The registry's process id (tests freeze it with SIGSTOP to make it hang). */
  public synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException("the registry is not running");
    }
    return process.pid();
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** For example {@code http://127.0.0.1:41234}, without a trailing slash. */
  public String baseUrl() {
    return "http://" + hostPort();
  }

  /** For example {@code 127.0.0.1:41234}, the form image references and podman use. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /**
   * The registry's stdout and stderr across all its starts; print it when a test fails. Deleted by
   * {@link #close()}.
   */
  public Path logFile() {
    return logFile;
  }

  public Path storageDir() {
    return dir.resolve("data");
  }

  public Path configFile() {
    return configFile;
  }

  public Optional<Credentials> credentials() {
    return Optional.ofNullable(options.basicAuthUser)
        .map(user -> new Credentials(user, TEST_PASSWORD));
  }

  /** How long the latest {@link #start()} took until {@code GET /v2/} answered. */
  public Duration lastStartupTime() {
    return lastStartup;
  }

  /**
   * The last {@code lines} lines of the log, for failure messages that must survive {@link
   * #close()}.
   */
  public String logTail(int lines) {
    try {
      if (!Files.exists(logFile)) {
        return "";
      }
      List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  private void writeConfig() throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "0.1");
    root.putObject("log").put("level", "info");
    ObjectNode storage = root.putObject("storage");
    storage.putObject("filesystem").put("rootdirectory", storageDir().toString());
    storage.putObject("delete").put("enabled", true);
    root.putObject("http").put("addr", hostPort()).put("secret", "flagstate-test-upload-secret");
    root.putObject("catalog").put("maxentries", options.catalogMaxEntries);
    if (options.notificationUrl != null) {
      ObjectNode notifications = root.putObject("notifications");
      notifications.putObject("events").put("includereferences", true);
      ObjectNode endpoint =
          notifications
              .putArray("endpoints")
              .addObject()
              .put("name", "flagstate")
              .put("url", options.notificationUrl)
              .put("timeout", "1s")
              .put("threshold", 3)
              .put("backoff", "1s");
      if (options.notificationToken != null) {
        endpoint
            .putObject("headers")
            .putArray("Authorization")
            .add("Bearer " + options.notificationToken);
      }
      endpoint.putArray("ignoredmediatypes").add("application/octet-stream");
    }
    if (options.basicAuthUser != null) {
      Path htpasswd = dir.resolve("htpasswd");
      Files.writeString(htpasswd, options.basicAuthUser + ":" + TEST_PASSWORD_BCRYPT + "\n");
      root.putObject("auth")
          .putObject("htpasswd")
          .put("realm", "flagstate-test")
          .put("path", htpasswd.toString());
    }
    if (options.tokenAuth != null) {
      if (options.basicAuthUser != null) {
        throw new IllegalStateException(
            "the registry takes one auth method: basicAuth or tokenAuth");
      }
      root.putObject("auth")
          .putObject("token")
          .put("realm", options.tokenAuth.realm())
          .put("service", options.tokenAuth.service())
          .put("issuer", options.tokenAuth.issuer())
          .put("rootcertbundle", options.tokenAuth.rootCertBundle().toAbsolutePath().toString());
    }
    // JSON is YAML, so the registry reads this file as it is.
    JSON.writerWithDefaultPrettyPrinter().writeValue(configFile.toFile(), root);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
