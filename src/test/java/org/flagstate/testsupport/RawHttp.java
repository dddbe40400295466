package org.flagstate.testsupport;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * HTTP/1.1 over a plain socket, byte for byte as the test wrote it: for requests an HTTP client
 * would refuse or normalise (broken %-escapes, NUL, raw control characters, oversized request lines
 * and headers, bad framing). The request is written on its own thread while the answer is read, so
 * a server that answers and closes before the whole request arrived (414, 431) is still heard. One
 * request per connection, or several pipelined ({@link #pipelined}).
 */
public final class RawHttp {

  /** How long the server may take to answer one request. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private RawHttp() {}

  /**
   * What came back: {@code status} -1 when the connection closed (or was reset) before a status
   * line; the body is un-gzipped when the response says {@code Content-Encoding: gzip}; {@code
   * statusLine} as sent, null when there was none.
   */
  public record Response(
      int status,
      Map<String, List<String>> headers,
      byte[] body,
      String failure,
      String statusLine) {

    Response(int status, Map<String, List<String>> headers, byte[] body, String failure) {
      this(status, headers, body, failure, null);
    }

    public boolean answered() {
      return status > 0;
    }

    /** The first value of a header (name in any case), or null. */
    public String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      String text = bodyText();
      return status
          + " "
          + headers
          + " "
          + (text.length() > 300 ? text.substring(0, 300) + "…" : text)
          + (failure == null ? "" : " (" + failure + ")");
    }
  }

  /**
   * Sends {@code request} (head and body, exactly) to 127.0.0.1:{@code port}; {@code head} says it
   * is a HEAD.
   */
  public static Response exchange(int port, byte[] request, boolean head) {
    return exchange(port, request, head, false);
  }

  /**
   * As {@link #exchange(int, byte[], boolean)}; with {@code halfClose} the sending side is shut
   * after the request, so a server waiting for a body that never comes sees the end of the stream
   * instead of waiting forever.
   */
  public static Response exchange(int port, byte[] request, boolean head, boolean halfClose) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      socket.setTcpNoDelay(true);
      Thread writer =
          new Thread(
              () -> {
                try {
                  OutputStream out = socket.getOutputStream();
                  out.write(request);
                  out.flush();
                  if (halfClose) {
                    socket.shutdownOutput();
                  }
                } catch (IOException closedByServer) {
                  // the server answered before reading it all: the answer is what the test looks at
                }
              },
              "raw-http-writer");
      writer.setDaemon(true);
      writer.start();
      InputStream in = socket.getInputStream();
      try {
        Response response = read(in, head);
        writer.join(TIMEOUT.toMillis());
        return response;
      } catch (SocketTimeoutException e) {
        return new Response(-1, Map.of(), new byte[0], "no answer within " + TIMEOUT);
      } catch (IOException e) {
        return new Response(-1, Map.of(), new byte[0], e.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to 127.0.0.1:" + port, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Sends {@code requests} (several, pipelined: written at once on one connection) and reads up to
   * {@code count} responses in order, fewer when the server closes the connection first (a closing
   * connection ends the list with a response whose status is -1).
   */
  public static List<Response> pipelined(int port, byte[] requests, int count) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      out.write(requests);
      out.flush();
      InputStream in = socket.getInputStream();
      List<Response> responses = new ArrayList<>();
      while (responses.size() < count) {
        Response response;
        try {
          response = read(in, false);
        } catch (SocketTimeoutException e) {
          response = new Response(-1, Map.of(), new byte[0], "no answer within " + TIMEOUT);
        } catch (IOException e) {
          response = new Response(-1, Map.of(), new byte[0], e.toString());
        }
        responses.add(response);
        if (!response.answered()) {
          break;
        }
      }
      return responses;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to 127.0.0.1:" + port, e);
    }
  }

  /**
   * A request head from its lines ({@code "GET / HTTP/1.1"}, {@code "Host: x"}, …),
   * CRLF-terminated, plus a body.
   */
  public static byte[] request(List<String> lines, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String line : lines) {
      out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
      out.writeBytes(new byte[] {'\r', '\n'});
    }
    out.writeBytes(new byte[] {'\r', '\n'});
    out.writeBytes(body);
    return out.toByteArray();
  }

  private static Response read(InputStream in, boolean head) throws IOException {
    while (true) {
      String statusLine = line(in);
      if (statusLine == null) {
        return new Response(-1, Map.of(), new byte[0], "closed without an answer");
      }
      if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
        return new Response(-1, Map.of(), new byte[0], "not an HTTP status line: " + statusLine);
      }
      int status = Integer.parseInt(statusLine.substring(9, 12));
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
        int colon = header.indexOf(':');
        if (colon > 0) {
          headers
              .computeIfAbsent(
                  header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                  k -> new ArrayList<>())
              .add(header.substring(colon + 1).trim());
        }
      }
      if (status >= 100 && status < 200) {
        continue;
      }
      byte[] body;
      if (head || status == 204 || status == 304) {
        body = new byte[0];
      } else if (headers.containsKey("transfer-encoding")
          && headers.get("transfer-encoding").get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
        body = chunked(in);
      } else if (headers.containsKey("content-length")) {
        body = in.readNBytes(Integer.parseInt(headers.get("content-length").get(0)));
      } else {
        body = in.readAllBytes();
      }
      List<String> encoding = headers.get("content-encoding");
      if (encoding != null && encoding.get(0).equalsIgnoreCase("gzip") && body.length > 0) {
        try (GZIPInputStream gunzip = new GZIPInputStream(new ByteArrayInputStream(body))) {
          body = gunzip.readAllBytes();
        }
      }
      return new Response(status, headers, body, null, statusLine);
    }
  }

  private static byte[] chunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = line(in);
      if (size == null) {
        throw new IOException("chunked body cut short");
      }
      int length = Integer.parseInt(size.split(";")[0].trim(), 16);
      if (length == 0) {
        for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
          // trailers are ignored
        }
        return body.toByteArray();
      }
      body.writeBytes(in.readNBytes(length));
      line(in);
    }
  }

  /** One CRLF- (or LF-) terminated line in ISO-8859-1, or null at end of stream. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int length =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }
}
