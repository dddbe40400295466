package org.flagstate.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow and idle clients cannot hold the public listener: 500 connections trickling one header byte
 * every 10 s are closed after {@code http.header_timeout} while other clients are served
 * throughout, and past {@code http.max_connections} new connections are closed at once.
 */
class SlowClientsIT {

  private static final int SLOW_CLIENTS = 500;
  private static final int MAX_CONNECTIONS = 600;
  private static FlagstateInstance flagstate;

  @BeforeAll
  static void start() {
    flagstate =
        FlagstateInstance.start(
            Map.of(
                "registry.url",
                "http://127.0.0.1:9",
                "database.url",
                TestDatabase.createDatabase(),
                "http.header_timeout",
                "3s",
                "http.keep_alive_timeout",
                "3s",
                "http.max_connections",
                Integer.toString(MAX_CONNECTIONS)));
  }

  @AfterAll
  static void stop() {
    flagstate.close();
  }

  @Test
  void connectionsTricklingHeaderBytesAreClosedAndOthersAreServedMeanwhile() throws Exception {
    int port = Integer.parseInt(flagstate.baseUrl().replaceAll(".*:", ""));
    List<Socket> slow = new ArrayList<>();
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    byte[] head = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
    try {
      for (int i = 0; i < SLOW_CLIENTS; i++) {
        Socket socket = new Socket("127.0.0.1", port);
        socket.getOutputStream().write(head, 0, 1);
        slow.add(socket);
      }
      int[] sent = {1};
      trickle.scheduleAtFixedRate(
          () -> {
            for (Socket socket : slow) {
              try {
                socket.getOutputStream().write('a');
              } catch (IOException closedByServer) {
                // expected once the header timeout fired
              }
            }
            sent[0]++;
          },
          1,
          1,
          TimeUnit.SECONDS);

      long served = 0;
      long worstNanos = 0;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < until) {
        long started = System.nanoTime();
        assertThat(flagstate.get("/health").statusCode()).isEqualTo(200);
        worstNanos = Math.max(worstNanos, System.nanoTime() - started);
        served++;
      }
      long closed = slow.stream().filter(SlowClientsIT::closedByServer).count();
      System.out.printf(
          "slow clients: %d trickling connections, %d closed by the header timeout; meanwhile %d "
              + "requests served, slowest %d ms%n",
          SLOW_CLIENTS, closed, served, worstNanos / 1_000_000);
      assertThat(closed).as("connections closed by http.header_timeout").isEqualTo(SLOW_CLIENTS);
      assertThat(served).isGreaterThan(50);
    } finally {
      trickle.shutdownNow();
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  @Test
  void pastTheConnectionLimitNewConnectionsAreClosedAtOnce() throws Exception {
    int port = Integer.parseInt(flagstate.baseUrl().replaceAll(".*:", ""));
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS + 20; i++) {
        held.add(new Socket("127.0.0.1", port));
      }
      Thread.sleep(500);
      long refused = held.stream().filter(SlowClientsIT::closedByServer).count();
      assertThat(refused).as("connections past http.max_connections").isGreaterThanOrEqualTo(20);
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
    Thread.sleep(200);
    assertThat(flagstate.get("/health").statusCode())
        .as("served again once they are gone")
        .isEqualTo(200);
  }

  @Test
  void aKeptAliveConnectionTricklingItsNextRequestIsClosed() throws Exception {
    int port = Integer.parseInt(flagstate.baseUrl().replaceAll(".*:", ""));
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.setSoTimeout(5000);
      byte[] buffer = new byte[4096];
      int read = socket.getInputStream().read(buffer);
      assertThat(new String(Arrays.copyOf(buffer, read), StandardCharsets.US_ASCII))
          .startsWith("HTTP/1.1 200");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
      boolean closed = false;
      while (!closed && System.nanoTime() < deadline) {
        try {
          out.write('G');
          Thread.sleep(500);
        } catch (IOException e) {
          closed = true;
        }
        closed |= closedByServer(socket);
      }
      assertThat(closed).as("closed by http.keep_alive_timeout").isTrue();
    }
  }

  /**
   * True when the server closed the socket (read returns end of stream or the connection was
   * reset).
   */
  private static boolean closedByServer(Socket socket) {
    try {
      socket.setSoTimeout(1);
      InputStream in = socket.getInputStream();
      int read = in.read();
      return read == -1;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }
}
