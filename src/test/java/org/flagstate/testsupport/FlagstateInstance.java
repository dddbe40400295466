package org.flagstate.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.flagstate.MainVerticle;
import org.flagstate.config.ConfigLoader;
import org.flagstate.config.FlagstateConfig;
import org.flagstate.config.Setting;
import org.flagstate.ops.Observability;

/**
 * A real Flagstate (MainVerticle and everything it deploys) running in the test JVM on a free port,
 * configured through the same loader as production, plus a plain HTTP client to talk to it.
 */
public final class FlagstateInstance implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Vertx vertx;
  private final FlagstateConfig config;
  private final int port;

  private FlagstateInstance(Vertx vertx, FlagstateConfig config, int port) {
    this.vertx = vertx;
    this.config = config;
    this.port = port;
  }

  /**
   * @param settings configuration keys ({@code registry.url}, ...) over the bundled defaults
   */
  public static FlagstateInstance start(Map<String, String> settings) {
    int port = freePort();
    Map<String, String> env = new HashMap<>();
    env.put("FLAGSTATE_HTTP_HOST", "127.0.0.1");
    env.put("FLAGSTATE_HTTP_PORT", Integer.toString(port));
    env.put("FLAGSTATE_WEBHOOK_PORT", Integer.toString(freePort()));
    settings.forEach((key, value) -> env.put(setting(key).environmentVariable(), value));
    FlagstateConfig config = new ConfigLoader(env, new Properties()).resolve(null);
    Observability observability = new Observability();
    Vertx vertx = observability.vertxBuilder(new VertxOptions()).build();
    try {
      vertx.deployVerticle(new MainVerticle(config, observability)).await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("Flagstate did not start: " + e.getMessage(), e);
    }
    return new FlagstateInstance(vertx, config, port);
  }

  private static Setting setting(String key) {
    return Setting.ALL.stream()
        .filter(s -> s.key().equals(key))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no such setting " + key));
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** Where the registry's notifications go. */
  public String eventsUrl() {
    return "http://127.0.0.1:" + config.webhook().port() + "/events";
  }

  public FlagstateConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * GET (or another method) of a path relative to {@link #baseUrl()}, with header name/value pairs.
   */
  public HttpResponse<byte[]> request(String method, String pathAndQuery, String... headers) {
    return send(baseUrl(), method, pathAndQuery, headers);
  }

  /**
   * One bodiless request to any HTTP server (Flagstate or a registry), with header name/value
   * pairs; a HEAD keeps the response's Content-Length visible.
   */
  public static HttpResponse<byte[]> send(
      String base, String method, String pathAndQuery, String... headers) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(base + pathAndQuery))
            .timeout(Duration.ofSeconds(60))
            .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    try {
      return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Sends a request line exactly as given, for targets java.net.URI refuses (bad %-escapes);
   * returns the status code and the body.
   */
  public RawResponse rawGet(String target) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              ("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      String response =
          new String(
              socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      int status = Integer.parseInt(response.substring(9, 12));
      int bodyStart = response.indexOf("\r\n\r\n");
      return new RawResponse(status, bodyStart < 0 ? "" : response.substring(bodyStart + 4));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Status and body of a {@link #rawGet}. */
  public record RawResponse(int status, String body) {}

  public HttpResponse<byte[]> get(String pathAndQuery, String... headers) {
    return request("GET", pathAndQuery, headers);
  }

  public JsonObject getJson(String pathAndQuery) {
    return new JsonObject(
        new String(get(pathAndQuery).body(), java.nio.charset.StandardCharsets.UTF_8));
  }

  /** {@code /status}, under {@code http.path_prefix} when one is configured. */
  public JsonObject status() {
    return getJson(config.http().pathPrefix() + "/status");
  }

  /** Waits until the crawler has completed more than {@code completedBefore} full syncs. */
  public void awaitSyncsAfter(int completedBefore) {
    awaitStatus(
        s -> s.getJsonObject("crawler").getInteger("syncsCompleted", 0) > completedBefore,
        Duration.ofSeconds(60));
  }

  public int syncsCompleted() {
    return status().getJsonObject("crawler").getInteger("syncsCompleted", 0);
  }

  public JsonObject awaitStatus(Predicate<JsonObject> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      last = status();
      if (condition.test(last)) {
        return last;
      }
      sleep(50);
    }
    throw new AssertionError(
        "status did not reach the expected state in " + timeout + "; last: " + last);
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
