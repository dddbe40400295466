package org.flagstate.cache;

import java.util.Map;

/**
 * What a renderer produces for the cache: the body, headers that belong to exactly these bytes
 * (such as {@code Link} to the next page), kept and sent with them, 304s included, and when the
 * data the body shows last changed ({@code lastModifiedMillis}, 0 when the renderer cannot tell).
 */
public record RenderedBody(ByteChunks bytes, Map<String, String> headers, long lastModifiedMillis) {

  public RenderedBody {
    headers = Map.copyOf(headers);
  }

  public RenderedBody(byte[] bytes, Map<String, String> headers, long lastModifiedMillis) {
    this(ByteChunks.of(bytes), headers, lastModifiedMillis);
  }

  public RenderedBody(byte[] bytes, Map<String, String> headers) {
    this(bytes, headers, 0);
  }

  public static RenderedBody of(byte[] bytes) {
    return new RenderedBody(bytes, Map.of());
  }

  /** A body whose data last changed at {@code lastModifiedMillis}. */
  public static RenderedBody of(byte[] bytes, long lastModifiedMillis) {
    return new RenderedBody(bytes, Map.of(), lastModifiedMillis);
  }

  /**
   * A body written in chunks (a large one), whose data last changed at {@code lastModifiedMillis}.
   */
  public static RenderedBody of(ByteChunks bytes, long lastModifiedMillis) {
    return new RenderedBody(bytes, Map.of(), lastModifiedMillis);
  }
}
