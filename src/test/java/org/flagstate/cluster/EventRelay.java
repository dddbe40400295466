package org.flagstate.cluster;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * Stands between the registry and the nodes' webhooks: the registry has one notification endpoint,
 * and a cluster test chooses which node receives the events (one that crawls, or one that does not)
 * by pointing this relay at it. It forwards each {@code POST /events} as it came and answers what
 * the node answered (502 when the node is unreachable, so the registry retries).
 */
public final class EventRelay implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final HttpServer server;
  private volatile int targetPort;
  private final java.util.Queue<Delivery> deliveries =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** A notification body and when it reached the relay. */
  private record Delivery(long receivedNanos, String body) {}

  private EventRelay(HttpServer server) {
    this.server = server;
  }

  public static EventRelay start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
      EventRelay relay = new EventRelay(server);
      server.setExecutor(Executors.newFixedThreadPool(4));
      server.createContext(
          "/events",
          exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            relay.deliveries.add(
                new Delivery(
                    System.nanoTime(), new String(body, java.nio.charset.StandardCharsets.UTF_8)));
            HttpRequest.Builder forward =
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + relay.targetPort + "/events"))
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            exchange
                .getRequestHeaders()
                .forEach(
                    (name, values) -> {
                      if (name.equalsIgnoreCase("Authorization")
                          || name.equalsIgnoreCase("Content-Type")) {
                        values.forEach(value -> forward.header(name, value));
                      }
                    });
            int status;
            byte[] answer;
            try {
              HttpResponse<byte[]> response =
                  HTTP.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
              status = response.statusCode();
              answer = response.body();
            } catch (IOException | InterruptedException e) {
              status = 502;
              answer = ("relay: " + e).getBytes();
            }
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
              exchange.getResponseBody().write(answer);
            }
            exchange.close();
          });
      server.start();
      return relay;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * When the registry's first notification mentioning {@code text} reached the relay at or after
   * {@code sinceNanos} ({@link System#nanoTime()}), if one did.
   */
  public java.util.OptionalLong receivedAt(String text, long sinceNanos) {
    return deliveries.stream()
        .filter(d -> d.receivedNanos() >= sinceNanos && d.body().contains(text))
        .mapToLong(Delivery::receivedNanos)
        .min();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
  }

  /** Sends what arrives from now on to the webhook listening on {@code port}. */
  public void pointAt(int port) {
    targetPort = port;
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
