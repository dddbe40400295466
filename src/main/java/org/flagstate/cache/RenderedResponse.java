package org.flagstate.cache;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
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
    ByteChunks bytes = body.bytes();
    String tag = validator(bytes);
    long seconds = lastModifiedMillis / 1000 * 1000;
    return new RenderedResponse(
        direct(bytes),
        direct(gzip(bytes)),
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
  private static Buffer direct(ByteChunks bytes) {
    ByteBuffer memory = ByteBuffer.allocateDirect(Math.toIntExact(bytes.length()));
    bytes.copyTo(memory);
    return BufferInternal.buffer(
        Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(memory.flip())));
  }

  private static String validator(ByteChunks body) {
    MessageDigest sha256 = Digests.newSha256();
    body.forEach((array, length) -> sha256.update(array, 0, length));
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(Arrays.copyOf(sha256.digest(), 18));
  }

  private static ByteChunks gzip(ByteChunks body) {
    ByteChunks.Output out = new ByteChunks.Output(body.length() / 4 + 64);
    try (GZIPOutputStream zip = new GZIPOutputStream(out, ByteChunks.CHUNK)) {
      body.forEach((array, length) -> zip.write(array, 0, length));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toChunks();
  }
}
