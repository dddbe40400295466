package org.flagstate.cache;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.flagstate.registry.Digests;

/**
 * One response body kept ready to send in both encodings, with validators derived from its bytes:
 * the ETag changes exactly when the bytes do. Buffers are written as they are, never copied per
 * request.
 */
public record RenderedResponse(
    Buffer identity,
    Buffer gzip,
    String etag,
    String gzipEtag,
    long lastModifiedMillis,
    String lastModified,
    Map<String, String> headers) {

  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  /**
   * @param lastModifiedMillis when these bytes were first served (kept while the ETag stays)
   */
  public static RenderedResponse of(byte[] body, long lastModifiedMillis) {
    return of(RenderedBody.of(body), lastModifiedMillis);
  }

  public static RenderedResponse of(RenderedBody body, long lastModifiedMillis) {
    String tag = validator(body.bytes());
    long seconds = lastModifiedMillis / 1000 * 1000;
    return new RenderedResponse(
        direct(body.bytes()),
        direct(gzip(body.bytes())),
        "\"" + tag + "\"",
        "\"" + tag + "-gzip\"",
        seconds,
        HTTP_DATE.format(Instant.ofEpochMilli(seconds)),
        body.headers());
  }

  /** The same bytes and validators, last modified at another time. */
  public RenderedResponse withLastModified(long lastModifiedMillis) {
    long seconds = lastModifiedMillis / 1000 * 1000;
    return new RenderedResponse(
        identity,
        gzip,
        etag,
        gzipEtag,
        seconds,
        HTTP_DATE.format(Instant.ofEpochMilli(seconds)),
        headers);
  }

  /** True when {@code header} (an If-None-Match value) names this response in either encoding. */
  public boolean matchesAny(String header) {
    for (String candidate : header.split(",")) {
      String tag = candidate.trim();
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals("*") || tag.equals(etag) || tag.equals(gzipEtag)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Off-heap bytes that Netty writes to the socket as they are: a heap buffer would be copied into
   * a direct one on every response (measured: about half the requests/s for a 400 KB index). A JDK
   * direct ByteBuffer is freed by the garbage collector once the cache lets go of it.
   */
  private static Buffer direct(byte[] bytes) {
    ByteBuffer memory = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    return BufferInternal.buffer(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(memory)));
  }

  private static String validator(byte[] body) {
    byte[] hash = Digests.sha256Bytes(body);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(hash, 18));
  }

  private static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
