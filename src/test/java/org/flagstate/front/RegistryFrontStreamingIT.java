package org.flagstate.front;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.flagstate.testsupport.FlagstateEnvironment;
import org.flagstate.testsupport.FlagstateInstance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * That the front streams rather than buffers, shown by behaviour: an upstream that generates a 1
 * GiB blob on the fly counts what it managed to send. While the client reads nothing, the upstream
 * is held back after a few socket buffers' worth (a buffering front would have taken the whole
 * GiB); when the client reads again, the upstream sends again; when the client hangs up, the
 * upstream transfer is aborted instead of running to the end. (The real registry is not used here
 * because it cannot be made to serve a blob larger than the test can afford to push.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryFrontStreamingIT {

  private static final long BLOB_SIZE = 1L << 30;
  private static final String DIGEST = "sha256:" + "ab".repeat(32);
  private static final long HELD_BACK_LIMIT = 96L << 20;

  @RegisterExtension
  static final FlagstateEnvironment ENVIRONMENT =
      FlagstateEnvironment.builder()
          .withoutRegistry()
          .seed(RegistryFrontStreamingIT::startUpstream)
          .build();

  FlagstateInstance flagstate;
  final AtomicLong sent = new AtomicLong();
  final AtomicBoolean aborted = new AtomicBoolean();

  /** The generating upstream, in the registry's place. */
  void startUpstream(FlagstateEnvironment environment) throws IOException {
    HttpServer upstream =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService threads = Executors.newCachedThreadPool();
    upstream.setExecutor(threads);
    upstream.createContext("/v2/", this::serve);
    upstream.start();
    environment.closeAfterFlagstate(
        () -> {
          upstream.stop(0);
          threads.shutdownNow();
        });
    environment.setting("registry.url", "http://127.0.0.1:" + upstream.getAddress().getPort());
  }

  @BeforeAll
  void start(FlagstateInstance flagstate) {
    this.flagstate = flagstate;
  }

  @Test
  void aSlowClientHoldsTheUpstreamBackAndAHangUpAbortsIt() throws Exception {
    try (Socket client = new Socket("127.0.0.1", flagstate.config().http().port())) {
      client.setReceiveBufferSize(64 << 10);
      client
          .getOutputStream()
          .write(
              ("GET /v2/big/blob/blobs/" + DIGEST + " HTTP/1.1\r\nHost: flagstate\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = client.getInputStream();
      String head = readHead(in);
      assertThat(head)
          .startsWith("HTTP/1.1 200")
          .containsIgnoringCase("content-length: " + BLOB_SIZE)
          .containsIgnoringCase("docker-content-digest: " + DIGEST);
      readFully(in, 1 << 20);

      long heldAt = awaitSteady();
      assertThat(heldAt)
          .as("bytes the upstream sent while the client read 1 MiB and stopped")
          .isLessThan(HELD_BACK_LIMIT);

      readFully(in, 128 << 20);
      assertThat(sent.get())
          .as("the upstream resumes when the client reads")
          .isGreaterThan(128L << 20);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!aborted.get() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(aborted).as("the upstream transfer was cut when the client hung up").isTrue();
    assertThat(sent.get()).isLessThan(BLOB_SIZE);
  }

  /** Waits until the upstream has sent nothing more for a second; returns what it sent by then. */
  private long awaitSteady() throws InterruptedException {
    long last = -1;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      long now = sent.get();
      if (now == last) {
        return now;
      }
      last = now;
      Thread.sleep(1000);
    }
    throw new AssertionError(
        "the upstream never stopped sending while the client read nothing: " + sent.get());
  }

  private void serve(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (path.equals("/v2/_catalog")) {
      byte[] body = "{\"repositories\":[]}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
      return;
    }
    if (!path.equals("/v2/big/blob/blobs/" + DIGEST)) {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
      return;
    }
    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
    exchange.getResponseHeaders().set("Docker-Content-Digest", DIGEST);
    exchange.sendResponseHeaders(200, BLOB_SIZE);
    byte[] chunk = new byte[64 << 10];
    try (OutputStream out = exchange.getResponseBody()) {
      for (long left = BLOB_SIZE; left > 0; left -= chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, left));
        sent.addAndGet(Math.min(chunk.length, left));
      }
    } catch (IOException cut) {
      aborted.set(true);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed in the response head: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  private static void readFully(InputStream in, long bytes) throws IOException {
    byte[] buffer = new byte[64 << 10];
    for (long left = bytes; left > 0; ) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new IOException("connection closed with " + left + " bytes still expected");
      }
      left -= n;
    }
  }
}
